package similarity

import (
	"encoding/binary"
	"errors"
	"fmt"
	"sync"
)

// FingerprintVersion names the tokens and the hashing fingerprints are made
// with. Bump it whenever either changes: stored fingerprints of another
// version (or another k or window) are refused by ParseFingerprints' users
// (ErrStale), so callers fingerprint the files again instead of comparing
// hashes that mean something else.
const FingerprintVersion = 2 // 2: names chroma split are one token

// ErrStale is returned for stored fingerprints made with another version, k
// or window than the index's.
var ErrStale = errors.New("similarity: fingerprints made with other settings")

// Fingerprints are one document's winnowed fingerprints (template not yet
// removed), as stored beside a code snapshot so that comparing again needs no
// lexing: only indexing, which is cheap.
type Fingerprints struct {
	version, k, w int
	fp            fingerprints
}

// Count is the number of fingerprints kept, repeats included.
func (f Fingerprints) Count() int { return len(f.fp.prints) }

// Fingerprint lexes and winnows files with the index's k and window. It is
// safe for concurrent use.
func (ix *Index) Fingerprint(files []File) Fingerprints {
	return Fingerprints{version: FingerprintVersion, k: ix.options.KGram, w: ix.options.Window,
		fp: fingerprintFiles(files, ix.options.KGram, ix.options.Window)}
}

// fits reports whether f was made the way this index makes fingerprints.
func (ix *Index) fits(f Fingerprints) error {
	if f.version != FingerprintVersion || f.k != ix.options.KGram || f.w != ix.options.Window {
		return fmt.Errorf("%w: version %d k %d window %d, index has version %d k %d window %d", ErrStale,
			f.version, f.k, f.w, FingerprintVersion, ix.options.KGram, ix.options.Window)
	}
	return nil
}

// SetTemplateFingerprints is SetTemplate with the starter kit already
// fingerprinted.
func (ix *Index) SetTemplateFingerprints(g Group, f Fingerprints) error {
	if err := ix.fits(f); err != nil {
		return err
	}
	gi := ix.group(g)
	if len(gi.docs) > 0 {
		return fmt.Errorf("%w: %s/%s has %d documents", ErrTemplateLate, g.OrgID, g.Takehome, len(gi.docs))
	}
	for _, p := range f.fp.prints {
		gi.template[p.hash] = struct{}{}
	}
	return nil
}

// PrepareStored makes a document ready to add from its stored fingerprints;
// ErrStale when they were made with other settings.
func (ix *Index) PrepareStored(id string, g Group, kind Kind, f Fingerprints) (Prepared, error) {
	if id == "" {
		return Prepared{}, ErrEmptyID
	}
	if err := ix.fits(f); err != nil {
		return Prepared{}, err
	}
	return Prepared{id: id, group: g, kind: kind, fp: f.fp}, nil
}

// Count is the number of fingerprints of a prepared document, repeats
// included (see Reserve).
func (p Prepared) Count() int { return len(p.fp.prints) }

// Insert indexes a document without comparing it with the others: how a
// group's index is rebuilt from stored fingerprints before one new document
// is compared against it (AddPrepared), at the cost of a few map appends per
// fingerprint instead of a comparison.
func (ix *Index) Insert(doc Prepared) error {
	if doc.id == "" {
		return ErrEmptyID
	}
	gi := ix.group(doc.group)
	if gi.ids[doc.id] {
		return fmt.Errorf("%w: %q", ErrDuplicateID, doc.id)
	}
	seen := seenMaps.Get().(map[uint64]int)
	added := keepInto(doc.fp, gi.template, seen)
	seenMaps.Put(seen)
	docIndex := uint32(len(gi.docs))
	gi.docs = append(gi.docs, added.doc(doc.id, doc.kind))
	gi.ids[doc.id] = true
	for at, hash := range added.hashes {
		gi.postings[hash] = append(gi.postings[hash], posting{doc: docIndex, at: uint32(at)})
	}
	return nil
}

// seenMaps are keep's counting maps, reused: a rebuild inserts thousands of
// documents, and each map grows to a document's size once.
var seenMaps = sync.Pool{New: func() any { return map[uint64]int{} }}

// Reserve sizes an empty group's index for about fingerprints postings in
// all (the sum of the documents' Count), so that a rebuild from stored
// fingerprints does not grow the postings map step by step; it does nothing
// to a group that has documents.
func (ix *Index) Reserve(g Group, fingerprints int) {
	if gi := ix.group(g); len(gi.docs) == 0 {
		gi.postings = make(map[uint64][]posting, fingerprints)
	}
}

// fingerprintsMagic starts every encoding, so that a column holding
// something else is refused rather than misread.
const fingerprintsMagic = "AYFP"

// MarshalBinary encodes the fingerprints compactly: a header (magic,
// version, k, window), the file paths, then each fingerprint as its hash
// (8 bytes) and varints for its file, first line and line count. About 11
// bytes per fingerprint; 3,000 lines of code keep about 2,000.
func (f Fingerprints) MarshalBinary() ([]byte, error) {
	b := make([]byte, 0, 16+len(f.fp.prints)*12)
	b = append(b, fingerprintsMagic...)
	b = binary.AppendUvarint(b, uint64(f.version))
	b = binary.AppendUvarint(b, uint64(f.k))
	b = binary.AppendUvarint(b, uint64(f.w))
	b = binary.AppendUvarint(b, uint64(len(f.fp.paths)))
	for _, p := range f.fp.paths {
		b = binary.AppendUvarint(b, uint64(len(p)))
		b = append(b, p...)
	}
	b = binary.AppendUvarint(b, uint64(len(f.fp.prints)))
	for _, p := range f.fp.prints {
		if p.endLine < p.startLine || p.startLine < 0 {
			return nil, fmt.Errorf("similarity: fingerprint with lines %d-%d", p.startLine, p.endLine)
		}
		b = binary.LittleEndian.AppendUint64(b, p.hash)
		b = binary.AppendUvarint(b, uint64(p.file))
		b = binary.AppendUvarint(b, uint64(p.startLine))
		b = binary.AppendUvarint(b, uint64(p.endLine-p.startLine))
	}
	return b, nil
}

// ParseFingerprints decodes what MarshalBinary encoded.
func ParseFingerprints(b []byte) (Fingerprints, error) {
	r := decoder{b: b}
	if len(b) < len(fingerprintsMagic) || string(b[:len(fingerprintsMagic)]) != fingerprintsMagic {
		return Fingerprints{}, errors.New("similarity: not stored fingerprints")
	}
	r.b = b[len(fingerprintsMagic):]
	var f Fingerprints
	f.version, f.k, f.w = int(r.uvarint()), int(r.uvarint()), int(r.uvarint())
	paths := r.count()
	for range paths {
		n := r.count()
		if r.err == nil {
			f.fp.paths = append(f.fp.paths, string(r.bytes(n)))
		}
	}
	prints := r.count()
	if r.err == nil {
		f.fp.prints = make([]fingerprint, 0, prints)
	}
	for i := 0; i < prints && r.err == nil; i++ {
		p := fingerprint{hash: r.uint64()}
		file, start, span := r.uvarint(), r.uvarint(), r.uvarint()
		if file >= uint64(len(f.fp.paths)) || start > 1<<30 || span > 1<<30 {
			r.fail()
		}
		p.file, p.startLine, p.endLine = int32(file), int32(start), int32(start+span)
		f.fp.prints = append(f.fp.prints, p)
	}
	if r.err == nil && len(r.b) > 0 {
		r.fail()
	}
	if r.err != nil {
		return Fingerprints{}, r.err
	}
	return f, nil
}

// decoder reads varints and bytes, remembering the first error.
type decoder struct {
	b   []byte
	err error
}

func (d *decoder) fail() {
	if d.err == nil {
		d.err = errors.New("similarity: stored fingerprints are truncated or corrupt")
	}
	d.b = nil
}

func (d *decoder) uvarint() uint64 {
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.fail()
		return 0
	}
	d.b = d.b[n:]
	return v
}

// count reads a length, refusing one longer than the bytes left could hold.
func (d *decoder) count() int {
	v := d.uvarint()
	if v > uint64(len(d.b)) {
		d.fail()
		return 0
	}
	return int(v)
}

func (d *decoder) bytes(n int) []byte {
	if n > len(d.b) {
		d.fail()
		return nil
	}
	v := d.b[:n]
	d.b = d.b[n:]
	return v
}

func (d *decoder) uint64() uint64 {
	if len(d.b) < 8 {
		d.fail()
		return 0
	}
	v := binary.LittleEndian.Uint64(d.b)
	d.b = d.b[8:]
	return v
}
