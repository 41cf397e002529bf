package gitfetch

import (
	"context"
	"os"
	"testing"

	"github.com/assayhq/assay/internal/gitfetch/gittest"
)

// benchRepo is 10 MB of incompressible files, the size of a take-home with a
// few assets: what one grading run fetches.
func benchRepo(b *testing.B) string {
	files := map[string]string{}
	for i := range 10 {
		files["assets/blob"+string(rune('0'+i))+".bin"] = randomString(b, 1<<20)
	}
	repo, _ := gittest.MakeRepo(b, files)
	return repo
}

func benchFetch(b *testing.B, url string, opt Options) {
	b.SetBytes(10 << 20)
	var transferred int64
	for b.Loop() {
		dest, err := os.MkdirTemp(b.TempDir(), "checkout")
		if err != nil {
			b.Fatal(err)
		}
		res, err := Fetch(context.Background(), url, "", dest, opt)
		if err != nil {
			b.Fatal(err)
		}
		transferred = res.Bytes
		os.RemoveAll(dest)
	}
	b.ReportMetric(float64(transferred)/(1<<20), "MB-transferred/op")
}

// BenchmarkFetchLocal10MB: the command-line path (file://, size watcher).
func BenchmarkFetchLocal10MB(b *testing.B) {
	benchFetch(b, benchRepo(b), Options{AllowLocal: true})
}

// BenchmarkFetchHTTP10MB: smart HTTP on loopback through the counting
// forwarder, the same byte path as production's CONNECT proxy.
func BenchmarkFetchHTTP10MB(b *testing.B) {
	benchFetch(b, gittest.Serve(b, benchRepo(b)), Options{AllowLoopbackHTTP: true})
}
