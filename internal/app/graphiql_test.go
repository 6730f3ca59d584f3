package app_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"mlp/internal/apptest"
	"mlp/models"
)

// chromium finds Debian's Chromium (.ci/run installs it). Without it the
// browser test skips on a developer's machine and fails in CI (CI=true).
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{os.Getenv("CHROMIUM"), "/usr/bin/chromium", "chromium", "chromium-browser"} {
		if name == "" {
			continue
		}
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatal("chromium is not installed (apt-get install -y chromium); CI must run the GraphiQL browser test")
	}
	t.Skip("chromium is not installed (apt-get install -y chromium)")
	return ""
}

// TestGraphiQLInABrowser loads the GraphiQL page in headless Chromium from
// the test server, types { legalPartners { name } } into its editor, runs it
// with the run button and reads the answer off the page. Every request the
// page makes goes to the test server (the assets are embedded: it works
// offline), and the browser reports no CSP violation under the page's
// self-only policy.
func TestGraphiQLInABrowser(t *testing.T) {
	t.Parallel()
	path := chromium(t)
	s := apptest.New(t)
	partner := s.Org(t, models.OrgLegalAid, []string{"CA"})

	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancelAlloc()
	origin, _ := url.Parse(s.URL)
	var mu sync.Mutex
	var foreign, problems []string
	listen := func(ev any) { // runs on the tab's reader: quick, no commands
		mu.Lock()
		defer mu.Unlock()
		switch e := ev.(type) {
		case *network.EventRequestWillBeSent:
			if u, err := url.Parse(e.Request.URL); err == nil && u.Host != origin.Host && u.Scheme != "data" {
				foreign = append(foreign, e.Request.URL)
			}
		case *network.EventResponseReceived:
			if e.Response.Status >= 400 {
				problems = append(problems, fmt.Sprintf("%s: %d", e.Response.URL, e.Response.Status))
			}
		case *log.EventEntryAdded:
			if (e.Entry.Level == log.EntryLevelError && !strings.HasPrefix(e.Entry.Text, "Failed to load resource")) ||
				strings.Contains(e.Entry.Text, "Content Security Policy") {
				problems = append(problems, e.Entry.Text)
			}
		case *runtime.EventExceptionThrown:
			problems = append(problems, e.ExceptionDetails.Text)
		case *runtime.EventConsoleAPICalled:
			if e.Type == runtime.ConsoleAPICalledTypeError {
				for _, a := range e.Args {
					problems = append(problems, string(a.Value)+a.Description)
				}
			}
		}
	}
	ctx, cancelBrowser := chromedp.NewContext(actx, chromedp.WithListener(listen))
	defer cancelBrowser()
	ctx, cancel := context.WithTimeout(ctx, 90*time.Second)
	defer cancel()

	const query = "{ legalPartners { name } }"
	const editor = `.graphiql-query-editor .CodeMirror`
	err := chromedp.Do(ctx,
		chromedp.Navigate(s.URL+"/"),
		chromedp.WaitVisible(chromedp.CSS(editor)),
		// Empty the editor (its welcome text), then type as a person would.
		chromedp.Evaluate[chromedp.Void](`document.querySelector('`+editor+`').CodeMirror.setValue('')`),
		chromedp.Click(chromedp.CSS(editor+` .CodeMirror-lines`)),
		chromedp.KeyEvent(query),
	)
	typed, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('`+editor+`').CodeMirror.getValue()`))
	if err == nil {
		err = chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`.graphiql-execute-button`)))
	}
	var answer string
	if err == nil {
		answer, err = chromedp.Run(ctx, chromedp.Poll[string](
			`(((document.querySelector('.result-window') || {}).innerText || '').includes('legalPartners')) && document.querySelector('.result-window').innerText`))
	}
	if err != nil {
		mu.Lock()
		defer mu.Unlock()
		t.Fatalf("browser: %v (typed %q, answer %q, problems %v)", err, typed, answer, problems)
	}
	if strings.Join(strings.Fields(typed), " ") != query {
		t.Errorf("the editor holds %q after typing %q", typed, query)
	}
	if !strings.Contains(answer, partner.Name) {
		t.Errorf("the answer on the page does not name the partner %q:\n%s", partner.Name, answer)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(foreign) > 0 {
		t.Errorf("the page requested other origins: %v", foreign)
	}
	if len(problems) > 0 {
		t.Errorf("the browser reported errors: %v", problems)
	}
}

// TestGraphiQLPageIsSelfContained: the page and its assets come from this
// server with the right types, and the page's CSP allows nothing else.
func TestGraphiQLPageIsSelfContained(t *testing.T) {
	t.Parallel()
	s := apptest.New(t)
	get := func(path string) (*http.Response, string) {
		t.Helper()
		resp, err := http.Get(s.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp, string(b)
	}
	resp, page := get("/")
	csp := resp.Header.Get("Content-Security-Policy")
	if strings.Contains(page, "http://") || strings.Contains(page, "https://") || strings.Contains(page, "<script>") ||
		strings.Contains(csp, "http") || strings.Contains(csp, "unsafe") || !strings.Contains(csp, "script-src 'self';") {
		t.Fatalf("CSP %q, page:\n%s", csp, page)
	}
	for path, typ := range map[string]string{
		"/graphiql/graphiql.min.js": "text/javascript", "/graphiql/graphiql.min.css": "text/css",
		"/graphiql/react.production.min.js": "text/javascript", "/graphiql/react-dom.production.min.js": "text/javascript",
		"/graphiql/init.js": "text/javascript", "/graphiql/page.css": "text/css",
	} {
		resp, body := get(path)
		if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), typ) || len(body) == 0 {
			t.Errorf("%s: %d %q, %d bytes", path, resp.StatusCode, resp.Header.Get("Content-Type"), len(body))
		}
		if !strings.Contains(page, path) {
			t.Errorf("the page does not load %s", path)
		}
	}
	if resp, _ := get("/graphiql/"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("/graphiql/ lists: %d", resp.StatusCode)
	}
}
