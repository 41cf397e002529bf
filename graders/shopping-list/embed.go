package shoppinglist

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
)

// brief is the candidate-facing brief, served on the candidate page.
//
//go:embed BRIEF.md
var brief string

//go:embed all:starter
var starterFiles embed.FS

// starterFS is the starter kit as the candidate downloads it (paths without
// the "starter/" prefix).
func starterFS() fs.FS {
	sub, err := fs.Sub(starterFiles, "starter")
	if err != nil {
		panic(fmt.Sprintf("shopping-list: embedded starter kit: %v", err)) // embed guarantees the directory
	}
	return sub
}

// starterData is the starter kit's data set: the grader recognises it when a
// submission stored it instead of app/data.
func starterData() ([]List, error) {
	b, err := fs.ReadFile(starterFS(), dataDir+"/data.json")
	if err != nil {
		return nil, fmt.Errorf("read starter data: %w", err)
	}
	var lists []List
	if err := json.Unmarshal(b, &lists); err != nil {
		return nil, fmt.Errorf("parse starter data: %w", err)
	}
	return lists, nil
}
