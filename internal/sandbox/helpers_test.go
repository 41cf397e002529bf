package sandbox

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

const serverSource = `package main

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
)

func main() {
	http.HandleFunc("/db", func(w http.ResponseWriter, r *http.Request) {
		c, err := net.Dial("tcp", "127.0.0.1:5432")
		if err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		defer c.Close()
		b, _ := io.ReadAll(c)
		fmt.Fprintf(w, "db says %s", b)
	})
	fmt.Println("listening on", os.Getenv("PORT"))
	if err := http.ListenAndServe("127.0.0.1:"+os.Getenv("PORT"), nil); err != nil {
		fmt.Println(err)
		os.Exit(1)
	}
}
`

var (
	serverOnce sync.Once
	serverDir  string
	serverBin  string
	serverErr  error
)

// TestMain removes the compiled test service once all tests have run.
func TestMain(m *testing.M) {
	code := m.Run()
	if serverDir != "" {
		os.RemoveAll(serverDir)
	}
	os.Exit(code)
}

// buildServer compiles the well-behaved service once per test run and copies it to dst.
func buildServer(t *testing.T, dst string) {
	t.Helper()
	serverOnce.Do(func() {
		dir, err := os.MkdirTemp("", "assay-sandbox-server")
		if err != nil {
			serverErr = err
			return
		}
		serverDir = dir
		os.WriteFile(filepath.Join(dir, "main.go"), []byte(serverSource), 0o644)
		os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module server\n\ngo 1.22\n"), 0o644)
		cmd := exec.Command("go", "build", "-o", "server", ".")
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			serverErr = fmt.Errorf("build server: %v: %s", err, out)
			return
		}
		serverBin = filepath.Join(dir, "server")
	})
	if serverErr != nil {
		t.Fatal(serverErr)
	}
	data, err := os.ReadFile(serverBin)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, data, 0o755); err != nil {
		t.Fatal(err)
	}
}

// httpGet fetches path from addr through the box, waiting up to 10 s for it to listen.
func httpGet(t *testing.T, b *Box, addr, path string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c := dialUntil(t, ctx, b, addr)
	defer c.Close()
	fmt.Fprintf(c, "GET %s HTTP/1.0\r\nHost: x\r\n\r\n", path)
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s: %d %s", path, resp.StatusCode, body)
	}
	return string(body)
}
