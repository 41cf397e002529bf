package similarity

import (
	"errors"
	"fmt"
	"sort"
)

// Group is the set of documents compared with one another: the submissions of
// one take-home in one organisation, and the known solutions registered for
// it. Documents of different groups are never compared.
type Group struct {
	OrgID    string
	Takehome string
}

// Kind tells a candidate's submission from a known (usually public) solution.
type Kind int

const (
	Submission Kind = iota
	KnownSolution
)

// Document is one checkout to fingerprint.
type Document struct {
	ID    string
	Group Group
	Kind  Kind
	Files []File
}

// Options tune an Index; the zero value of a field means its default.
type Options struct {
	KGram      int // tokens per k-gram (DefaultKGram)
	Window     int // k-grams per winnowing window (DefaultWindow)
	MaxMatches int // closest documents reported per added document (DefaultMaxMatches)
}

// DefaultMaxMatches bounds the matches reported for one new document: only
// the closest pairs are worth a reviewer's time, and only they are worth the
// cost of merging fragments.
const DefaultMaxMatches = 10

// maxOccurrences bounds how many positions of one fingerprint a document
// keeps: a hash repeated more often (tables of literals, generated code) still
// counts once towards similarity but would multiply the pairs to merge.
const maxOccurrences = 8

var (
	ErrEmptyID      = errors.New("similarity: document has no id")
	ErrDuplicateID  = errors.New("similarity: document already indexed")
	ErrTemplateLate = errors.New("similarity: template set after documents were indexed")
)

// Index holds the fingerprints of every indexed document, by group, and
// compares each new document against them. It is not safe for concurrent use.
type Index struct {
	options Options
	groups  map[Group]*groupIndex
}

type groupIndex struct {
	template map[uint64]struct{}
	docs     []*indexedDocument
	ids      map[string]bool
	postings map[uint64][]posting
}

// indexedDocument keeps what is needed to show a match: where each kept
// fingerprint lies, and how many distinct fingerprints the document has.
type indexedDocument struct {
	id        string
	kind      Kind
	paths     []string
	locations []location
	distinct  int
}

type location struct {
	file      int32
	startLine int32
	endLine   int32
}

// posting is one occurrence of a fingerprint: the document (index in the
// group) and the position in that document's locations.
type posting struct {
	doc uint32
	at  uint32
}

// NewIndex returns an empty index.
func NewIndex(options Options) *Index {
	if options.KGram <= 0 {
		options.KGram = DefaultKGram
	}
	if options.Window <= 0 {
		options.Window = DefaultWindow
	}
	if options.MaxMatches <= 0 {
		options.MaxMatches = DefaultMaxMatches
	}
	return &Index{options: options, groups: map[Group]*groupIndex{}}
}

func (ix *Index) group(g Group) *groupIndex {
	gi := ix.groups[g]
	if gi == nil {
		gi = &groupIndex{template: map[uint64]struct{}{}, ids: map[string]bool{}, postings: map[uint64][]posting{}}
		ix.groups[g] = gi
	}
	return gi
}

// SetTemplate fingerprints the take-home's starter kit for a group: its
// fingerprints never count, in any document of the group. It must come
// before the group's first document, whose fingerprints it filters.
func (ix *Index) SetTemplate(g Group, files []File) error {
	gi := ix.group(g)
	if len(gi.docs) > 0 {
		return fmt.Errorf("%w: %s/%s has %d documents", ErrTemplateLate, g.OrgID, g.Takehome, len(gi.docs))
	}
	for _, p := range fingerprintFiles(files, ix.options.KGram, ix.options.Window).prints {
		gi.template[p.hash] = struct{}{}
	}
	return nil
}

// Prepared is a document fingerprinted and ready to add. Fingerprinting
// (lexing) is most of the cost and needs no index, so callers may prepare
// documents concurrently and add them one at a time.
type Prepared struct {
	id    string
	group Group
	kind  Kind
	fp    fingerprints
}

// Prepare fingerprints a document with the index's k and window. It is safe
// for concurrent use, unlike Add.
func (ix *Index) Prepare(doc Document) (Prepared, error) {
	if doc.ID == "" {
		return Prepared{}, ErrEmptyID
	}
	return Prepared{id: doc.ID, group: doc.Group, kind: doc.Kind,
		fp: fingerprintFiles(doc.Files, ix.options.KGram, ix.options.Window)}, nil
}

// Add fingerprints a document and adds it (see AddPrepared).
func (ix *Index) Add(doc Document) ([]Match, error) {
	prepared, err := ix.Prepare(doc)
	if err != nil {
		return nil, err
	}
	return ix.AddPrepared(prepared)
}

// AddPrepared compares a document with every document already indexed in its
// group, indexes it, and returns its closest matches, most similar first (at
// most Options.MaxMatches, only those sharing fingerprints).
func (ix *Index) AddPrepared(doc Prepared) ([]Match, error) {
	if doc.id == "" {
		return nil, ErrEmptyID
	}
	gi := ix.group(doc.group)
	if gi.ids[doc.id] {
		return nil, fmt.Errorf("%w: %q", ErrDuplicateID, doc.id)
	}
	added := keep(doc.fp, gi.template)

	matches := gi.compare(added, ix.options.MaxMatches)

	docIndex := uint32(len(gi.docs))
	gi.docs = append(gi.docs, added.doc(doc.id, doc.kind))
	gi.ids[doc.id] = true
	for at, hash := range added.hashes {
		gi.postings[hash] = append(gi.postings[hash], posting{doc: docIndex, at: uint32(at)})
	}
	return matches, nil
}

// kept is a new document's fingerprints once the template's are removed and
// each hash is capped at maxOccurrences positions.
type kept struct {
	paths     []string
	hashes    []uint64
	locations []location
	distinct  int
}

func keep(fp fingerprints, template map[uint64]struct{}) kept {
	return keepInto(fp, template, map[uint64]int{})
}

// keepInto is keep counting in seen, emptied first: rebuilding an index from
// stored fingerprints reuses one map for thousands of documents.
func keepInto(fp fingerprints, template map[uint64]struct{}, seen map[uint64]int) kept {
	clear(seen)
	k := kept{paths: fp.paths, hashes: make([]uint64, 0, len(fp.prints)), locations: make([]location, 0, len(fp.prints))}
	for _, p := range fp.prints {
		if _, ok := template[p.hash]; ok {
			continue
		}
		if seen[p.hash] >= maxOccurrences {
			continue
		}
		seen[p.hash]++
		k.hashes = append(k.hashes, p.hash)
		k.locations = append(k.locations, location{file: p.file, startLine: p.startLine, endLine: p.endLine})
	}
	k.distinct = len(seen)
	return k
}

func (k kept) doc(id string, kind Kind) *indexedDocument {
	return &indexedDocument{id: id, kind: kind, paths: k.paths, locations: k.locations, distinct: k.distinct}
}

// compare counts, for every indexed document, the distinct fingerprints it
// shares with the new one (one walk over the new document's postings), then
// merges fragments for the closest maxMatches only.
func (gi *groupIndex) compare(added kept, maxMatches int) []Match {
	shared := make([]int, len(gi.docs)) // by document index: cheaper than a map
	counted := make(map[uint64]struct{}, added.distinct)
	for _, hash := range added.hashes {
		if _, done := counted[hash]; done {
			continue
		}
		counted[hash] = struct{}{}
		last := uint32(len(gi.docs)) // no document has this index
		for _, p := range gi.postings[hash] {
			if p.doc != last { // a hash's postings are in document order
				shared[p.doc]++
				last = p.doc
			}
		}
	}
	type candidate struct {
		doc        uint32
		similarity float64
	}
	var candidates []candidate
	for doc, n := range shared {
		if n > 0 {
			candidates = append(candidates, candidate{uint32(doc), max(ratio(n, added.distinct), ratio(n, gi.docs[doc].distinct))})
		}
	}
	sort.Slice(candidates, func(i, j int) bool {
		if candidates[i].similarity != candidates[j].similarity {
			return candidates[i].similarity > candidates[j].similarity
		}
		return candidates[i].doc < candidates[j].doc
	})
	if len(candidates) > maxMatches {
		candidates = candidates[:maxMatches]
	}
	// One more walk over the postings collects the position pairs of every
	// chosen document at once (walking them again per document was most of
	// the time of adding one).
	slot := make([]int8, len(gi.docs))
	for i := range slot {
		slot[i] = -1
	}
	for n, c := range candidates {
		slot[c.doc] = int8(n)
	}
	pairs := make([][]pair, len(candidates))
	for i, hash := range added.hashes {
		for _, p := range gi.postings[hash] {
			if n := slot[p.doc]; n >= 0 {
				pairs[n] = append(pairs[n], pair{new: i, other: int(p.at)})
			}
		}
	}
	matches := make([]Match, 0, len(candidates))
	for n, c := range candidates {
		matches = append(matches, gi.match(added, c.doc, shared[c.doc], pairs[n]))
	}
	return matches
}

func ratio(n, total int) float64 {
	if total == 0 {
		return 0
	}
	return float64(n) / float64(total)
}
