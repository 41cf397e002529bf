package similarity

import "sort"

// Defaults are Dolos's (and close to MOSS's): a k-gram of 23 tokens is two to
// four lines of code, long enough that the idioms every solution shares
// ("if err != nil { return nil, err }" is 11 tokens) do not match alone; a
// window of 17 keeps about 2/(w+1) ≈ 11% of the k-grams and still guarantees
// that any shared run of w+k−1 = 39 tokens (about five lines) is found.
const (
	DefaultKGram  = 23
	DefaultWindow = 17
)

// File is one file of a checkout: its path in the repository and its text.
type File struct {
	Path    string
	Content string
}

// fingerprint is one winnowed k-gram hash and where its k-gram lies.
type fingerprint struct {
	hash      uint64
	file      int32 // index into fingerprints.paths
	startLine int32
	endLine   int32
}

// fingerprints are a document's selected k-gram hashes in file and position
// order, so that consecutive matches can be merged into fragments.
type fingerprints struct {
	paths  []string
	prints []fingerprint
}

// fingerprintFiles lexes and winnows every code file; k-grams never span two
// files, and files are taken in path order so the result does not depend on
// the order the caller lists them.
func fingerprintFiles(files []File, k, w int) fingerprints {
	sorted := append([]File(nil), files...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].Path < sorted[j].Path })
	var result fingerprints
	for _, f := range sorted {
		tokens := tokenize(f.Path, f.Content)
		if len(tokens) < k {
			continue
		}
		fileIndex := int32(len(result.paths))
		result.paths = append(result.paths, f.Path)
		hashes := kgramHashes(tokens, k)
		for _, at := range winnow(hashes, w) {
			result.prints = append(result.prints, fingerprint{
				hash:      hashes[at],
				file:      fileIndex,
				startLine: tokens[at].startLine,
				endLine:   tokens[at+k-1].endLine,
			})
		}
	}
	return result
}

// kgramHashes returns the hash of every run of k consecutive tokens, with a
// rolling polynomial hash (Karp–Rabin modulo 2^64) finished by a mixer so the
// low-entropy arithmetic does not bias which k-grams winnowing keeps.
func kgramHashes(tokens []token, k int) []uint64 {
	const base = 0x100000001b3
	var power uint64 = 1 // base^k
	for range k {
		power *= base
	}
	hashes := make([]uint64, 0, len(tokens)-k+1)
	var rolling uint64
	for i, t := range tokens {
		rolling = rolling*base + t.kind
		if i >= k {
			rolling -= tokens[i-k].kind * power
		}
		if i >= k-1 {
			hashes = append(hashes, mix(rolling))
		}
	}
	return hashes
}

// mix is the splitmix64 finaliser.
func mix(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x
}

// winnow returns the positions selected by robust winnowing (Schleimer,
// Wilkerson, Aiken 2003): in every window of w consecutive hashes the
// minimum, the rightmost one on ties, each position recorded once. A file
// shorter than one window yields its minimum.
func winnow(hashes []uint64, w int) []int {
	if len(hashes) == 0 {
		return nil
	}
	if w > len(hashes) {
		w = len(hashes)
	}
	selected := make([]int, 0, 2*len(hashes)/(w+1)+1)
	minAt := -1
	for end := w - 1; end < len(hashes); end++ {
		start := end - w + 1
		if minAt < start {
			// The minimum left the window: scan the whole window again.
			minAt = start
			for i := start + 1; i <= end; i++ {
				if hashes[i] <= hashes[minAt] {
					minAt = i
				}
			}
		} else if hashes[end] <= hashes[minAt] {
			minAt = end
		}
		if len(selected) == 0 || selected[len(selected)-1] != minAt {
			selected = append(selected, minAt)
		}
	}
	return selected
}
