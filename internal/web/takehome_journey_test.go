package web_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/assayhq/assay/internal/testenv"
	"github.com/chromedp/chromedp"
)

// A recruiter adds a take-home from the dashboard in a real browser: the
// upload form sends the zip, a bundle with a problem comes back with the
// problem at its line, and a good one lands on its page, being checked.
func TestTakehomeUploadJourney(t *testing.T) {
	e := newEnv(t, "")
	b := newBrowser(t)
	dir := t.TempDir()
	broken := testenv.HelloBundle("hello-th", "hello\n")
	broken["takehome.yaml"] = strings.Replace(broken["takehome.yaml"], "category: endpoints", "category: endpionts", 1)
	for name, files := range map[string]map[string]string{"broken.zip": broken, "good.zip": testenv.HelloBundle("hello-th", "hello\n")} {
		if err := os.WriteFile(filepath.Join(dir, name), testenv.Zip(files), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	tab := b.tab()
	b.signIn(tab, e.url, "recruiter@acme.test")
	b.do(tab, "find Take-homes in the menu", chromedp.WaitVisible(chromedp.CSS(`nav a[href="/custom-takehomes"]`)))
	upload := func(name string) {
		b.do(tab, "upload "+name,
			// Navigate waits for the page: after the first upload the old
			// page has a #bundle too, so a click could race it.
			chromedp.Navigate(e.url+"/custom-takehomes"),
			chromedp.WaitVisible(chromedp.ID("bundle")),
			chromedp.SetUploadFiles(chromedp.ID("bundle"), []string{filepath.Join(dir, name)}),
			chromedp.Click(chromedp.CSS(`form[action="/custom-takehomes"] button[type=submit]`)),
			chromedp.WaitVisible(chromedp.CSS("h1")),
		)
	}
	upload("broken.zip")
	if got := b.waitText(tab, "#bundle-err", "takehome.yaml:", 10*time.Second); !strings.Contains(got, "takehome.yaml:9:") || !strings.Contains(got, "endpionts") {
		t.Fatalf("the form says %q, want the problem at line 9", got)
	}
	b.screenshot(tab, "takehome-upload-problems")
	upload("good.zip")
	if got := b.waitText(tab, "main", "Upload a new version", 10*time.Second); !strings.Contains(got, "checking") || !strings.Contains(got, "hello-th") {
		t.Fatalf("the take-home's page says %q", got)
	}
}
