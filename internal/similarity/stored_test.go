package similarity

import (
	"errors"
	"reflect"
	"testing"
)

// TestStoredFingerprintsCompareLikeFreshOnes: fingerprints written and read
// back, with an index rebuilt by Insert, give the new document exactly the
// matches the all-in-memory index gives it; the template still applies.
func TestStoredFingerprintsCompareLikeFreshOnes(t *testing.T) {
	starter := readTree(t, graders+"/planets-crud/starter")
	original := readTree(t, graders+"/planets-crud/testdata/solutions/go")
	copied := disguiseAll(t, original)

	fresh := NewIndex(Options{})
	if err := fresh.SetTemplate(planets, starter); err != nil {
		t.Fatal(err)
	}
	mustAdd(t, fresh, Document{ID: "original", Group: planets, Files: original})
	want := mustAdd(t, fresh, Document{ID: "copy", Group: planets, Files: copied})

	roundTrip := func(ix *Index, files []File) Fingerprints {
		b, err := ix.Fingerprint(files).MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		f, err := ParseFingerprints(b)
		if err != nil {
			t.Fatal(err)
		}
		return f
	}
	ix := NewIndex(Options{})
	if err := ix.SetTemplateFingerprints(planets, roundTrip(ix, starter)); err != nil {
		t.Fatal(err)
	}
	old, err := ix.PrepareStored("original", planets, KnownSolution, roundTrip(ix, original))
	if err != nil {
		t.Fatal(err)
	}
	if err := ix.Insert(old); err != nil {
		t.Fatal(err)
	}
	added, err := ix.PrepareStored("copy", planets, Submission, roundTrip(ix, copied))
	if err != nil {
		t.Fatal(err)
	}
	got, err := ix.AddPrepared(added)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || len(want) != 1 || got[0].OtherKind != KnownSolution {
		t.Fatalf("got %+v, want one match with the known solution", got)
	}
	got[0].OtherKind = want[0].OtherKind
	if !reflect.DeepEqual(got, want) {
		t.Errorf("stored fingerprints gave\n%+v\nfresh ones\n%+v", got[0], want[0])
	}
	if err := ix.Insert(old); !errors.Is(err, ErrDuplicateID) {
		t.Errorf("second insert: %v, want ErrDuplicateID", err)
	}
}

func TestStoredFingerprintsOfOtherSettingsOrCorruptAreRefused(t *testing.T) {
	files := readTree(t, graders+"/planets-crud/testdata/solutions/go")
	b, err := NewIndex(Options{KGram: 15}).Fingerprint(files).MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	f, err := ParseFingerprints(b)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := NewIndex(Options{}).PrepareStored("x", planets, Submission, f); !errors.Is(err, ErrStale) {
		t.Errorf("k=15 fingerprints in a k=23 index: %v, want ErrStale", err)
	}
	for name, bad := range map[string][]byte{"empty": nil, "other data": []byte("{}"), "truncated": b[:len(b)-3],
		"trailing": append(append([]byte(nil), b...), 1)} {
		if _, err := ParseFingerprints(bad); err == nil {
			t.Errorf("%s: parsed", name)
		}
	}
}
