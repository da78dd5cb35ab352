package main

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"html"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// compare --runs N --output json: issue 4's contract on the real engine.
func TestCompareRunsJSON(t *testing.T) {
	code, out, errs := runCLI("compare", "../../scenarios/bad-canary.yaml", "--runs", "4", "--output", "json", "--engine", "per-request")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var doc struct {
		Runs    int              `json:"runs"`
		Results []map[string]any `json:"results"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Runs != 4 || len(doc.Results) != 5 {
		t.Fatalf("runs %d, %d results", doc.Runs, len(doc.Results))
	}
	for _, r := range doc.Results {
		if _, ok := r["rollback_probability"].(float64); !ok {
			t.Errorf("%v: rollback_probability %v", r["strategy"], r["rollback_probability"])
		}
		for _, k := range []string{"requests", "target_requests", "failed_requests", "target_failed_requests",
			"deployment_start_s", "full_shift_s", "end_s", "detected_s"} {
			m, ok := r[k].(map[string]any)
			if !ok {
				t.Fatalf("%v: %s is %T", r["strategy"], k, r[k])
			}
			for _, st := range []string{"mean", "stddev", "min", "p5", "p50", "p95", "max", "ci95_low", "ci95_high"} {
				if _, ok := m[st]; !ok {
					t.Errorf("%v: %s lacks %s", r["strategy"], k, st)
				}
			}
		}
	}
	all := doc.Results[0]
	if all["rollback_probability"] != float64(0) || all["full_shift_s"].(map[string]any)["null_fraction"] != float64(0) {
		t.Errorf("AllAtOnce: %v %v", all["rollback_probability"], all["full_shift_s"])
	}
	can := doc.Results[1]
	if can["rollback_probability"] != float64(1) || can["full_shift_s"].(map[string]any)["null_fraction"] != float64(1) {
		t.Errorf("canary: %v %v", can["rollback_probability"], can["full_shift_s"])
	}
}

// --runs 1 is issue 2's single-run document, byte for byte.
func TestRunsOneIsTheSingleRun(t *testing.T) {
	_, a, _ := runCLI("compare", "../../scenarios/bad-canary.yaml", "--output", "json")
	_, b, _ := runCLI("compare", "../../scenarios/bad-canary.yaml", "--output", "json", "--runs", "1")
	if a != b || a == "" {
		t.Error("--runs 1 differs from a plain compare")
	}
	if code, _, errs := runCLI("compare", "../../scenarios/bad-canary.yaml", "--runs", "0"); code != 2 || !strings.Contains(errs, "--runs") {
		t.Errorf("--runs 0: exit %d %s", code, errs)
	}
	if code, _, errs := runCLI("compare", "../../scenarios/bad-canary.yaml", "--engine", "fast"); code != 2 || !strings.Contains(errs, "--engine") {
		t.Errorf("--engine fast: exit %d %s", code, errs)
	}
}

var pngMagic = []byte("\x89PNG\r\n\x1a\n")

// svgRoot returns the name of the document's root element.
func svgRoot(data []byte) (string, error) {
	d := xml.NewDecoder(bytes.NewReader(data))
	for {
		tok, err := d.Token()
		if err != nil {
			return "", err
		}
		if se, ok := tok.(xml.StartElement); ok {
			return se.Name.Local, nil
		}
	}
}

// --plots writes every chart as a PNG and an SVG with real content.
func TestComparePlots(t *testing.T) {
	dir := t.TempDir()
	code, _, errs := runCLI("compare", "../../scenarios/bad-canary.yaml", "--runs", "3", "--plots", dir)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, name := range []string{"weight", "error-rate", "cumulative-failed", "frontier", "cdf-failed"} {
		p, err := os.ReadFile(filepath.Join(dir, name+".png"))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.HasPrefix(p, pngMagic) || len(p) < 10_000 {
			t.Errorf("%s.png: %d bytes, PNG magic %v", name, len(p), bytes.HasPrefix(p, pngMagic))
		} else if img, err := png.Decode(bytes.NewReader(p)); err != nil || img.Bounds().Dx() < 400 {
			t.Errorf("%s.png does not decode to a picture: %v", name, err)
		}
		s, err := os.ReadFile(filepath.Join(dir, name+".svg"))
		if err != nil {
			t.Fatal(err)
		}
		if root, err := svgRoot(s); err != nil || root != "svg" || len(s) < 3_000 || !bytes.Contains(s, []byte("<path")) {
			t.Errorf("%s.svg: root %q (%v), %d bytes", name, root, err, len(s))
		}
	}
	// One run has no distribution to draw, but every other chart.
	dir1 := t.TempDir()
	if code, _, errs := runCLI("compare", "../../scenarios/healthy.yaml", "--plots", dir1); code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	files, _ := filepath.Glob(filepath.Join(dir1, "*"))
	if len(files) != 8 {
		t.Errorf("one run: %d files, want 8 (4 charts × 2 formats): %v", len(files), files)
	}
}

// chromium finds the headless browser: skipped where it is absent, unless
// in CI, which must have it (.ci/run installs it).
func chromium(t *testing.T) string {
	t.Helper()
	for _, p := range []string{"/usr/bin/chromium", "chromium", "chromium-browser"} {
		if path, err := exec.LookPath(p); err == nil {
			return path
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatal("chromium is not installed; .ci/run installs it")
	}
	t.Skip("chromium is not installed (apt-get install -y chromium)")
	return ""
}

func headless(t *testing.T, bin string, args ...string) (stdout, stderr []byte) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	base := []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--user-data-dir=" + t.TempDir(), "--enable-logging=stderr", "--v=0"}
	var o, e bytes.Buffer
	run := func() error {
		o.Reset()
		e.Reset()
		cmd := exec.CommandContext(ctx, bin, append(base, args...)...)
		cmd.Stdout, cmd.Stderr = &o, &e
		return cmd.Run()
	}
	err := run()
	var exit *exec.ExitError
	if errors.As(err, &exit) && !exit.Exited() && ctx.Err() == nil {
		// Chromium now and then dies of a signal on a loaded machine: one
		// more try, so that a crash of the browser does not read as a
		// fault of the page.
		t.Logf("chromium %v: %v; retrying", args, err)
		err = run()
	}
	if err != nil {
		t.Fatalf("chromium %v: %v\n%s", args, err, e.String())
	}
	return o.Bytes(), e.Bytes()
}

// The HTML report opens in a real browser: every chart loads, the tables
// are there, and nothing is logged to the console.
func TestHTMLReportInChromium(t *testing.T) {
	bin := chromium(t)
	code, page, errs := runCLI("compare", "../../scenarios/bad-canary.yaml", "--runs", "3", "--output", "html")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if strings.Contains(page, "http://") || strings.Contains(page, "https://") {
		t.Error("the page refers to an outside resource: it must be self-contained")
	}
	file := filepath.Join(t.TempDir(), "report.html")
	if err := os.WriteFile(file, []byte(page), 0o644); err != nil {
		t.Fatal(err)
	}
	dom, logs := headless(t, bin, "--virtual-time-budget=5000", "--dump-dom", "file://"+file)
	body := regexp.MustCompile(`<body[^>]*>`).Find(dom)
	t.Logf("%s", body)
	for _, want := range []string{`data-rendered="yes"`, `data-charts="5/5"`, `data-tables="1"`} {
		if !bytes.Contains(body, []byte(want)) {
			t.Errorf("page body %s lacks %s", body, want)
		}
	}
	if bytes.Contains(body, []byte("data-errors")) {
		t.Errorf("script or resource errors: %s", body)
	}
	for _, line := range strings.Split(string(logs), "\n") {
		if strings.Contains(line, ":CONSOLE") {
			t.Errorf("console: %s", line)
		}
	}
	if n := bytes.Count(dom, []byte("<tr>")); n < 6 {
		t.Errorf("%d table rows, want a header and 5 strategies", n)
	}
	shot := filepath.Join(t.TempDir(), "shot.png")
	headless(t, bin, "--window-size=1200,1800", "--screenshot="+shot, "file://"+file)
	data, err := os.ReadFile(shot)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil || img.Bounds().Dx() != 1200 || len(data) < 50_000 {
		t.Errorf("screenshot: %d bytes, %v", len(data), err)
	}
}

// The HTML report fits a laptop (1280 px) and a phone (390 px): the page
// never scrolls sideways, the results table fits whole at 1280 px, every
// chart spans its column, and the page opens with the verdict and the
// scenario summary before the table. The page's own script measures the
// layout in the browser and writes it into the DOM (data-page-overflow,
// data-table-overflow, data-chart-fill), which --dump-dom hands back.
func TestHTMLReportLayoutInChromium(t *testing.T) {
	bin := chromium(t)
	for _, tc := range []struct {
		name string
		args []string
	}{
		{"runs", []string{"compare", "../../scenarios/bad-canary.yaml", "--runs", "3", "--output", "html"}},
		{"single", []string{"compare", "../../scenarios/bad-canary.yaml", "--output", "html"}},
	} {
		code, page, errs := runCLI(tc.args...)
		if code != 0 {
			t.Fatalf("%s: exit %d: %s", tc.name, code, errs)
		}
		verdict, scen, table := strings.Index(page, "<h2>Verdict</h2>"), strings.Index(page, "<h2>Scenario</h2>"), strings.Index(page, "<table")
		if verdict < 0 || scen < verdict || table < scen {
			t.Errorf("%s: want the verdict (at %d), then the scenario (at %d), then the table (at %d)", tc.name, verdict, scen, table)
		}
		for _, want := range []string{"<dt>traffic</dt>", "<dt>version</dt>", "<dt>faults</dt>", "<dt>alarm</dt>", "<dt>hooks</dt>",
			"Canary10Percent5Minutes: "} {
			if !strings.Contains(page, want) {
				t.Errorf("%s: the page lacks %q", tc.name, want)
			}
		}
		for _, width := range []int{1280, 390} {
			// Headless Chromium will not make a window narrower than about
			// 500 px, so the page is laid out in a frame exactly width px
			// wide (a srcdoc frame: same origin, so the wrapper can copy
			// the page's measurements onto its own body for --dump-dom).
			wrapper := fmt.Sprintf(`<!DOCTYPE html><html><body style="margin:0"><iframe id="f" style="width:%dpx;height:900px;border:0" srcdoc="%s"></iframe>
<script>
var f = document.getElementById("f");
f.addEventListener("load", function () {
  var a = f.contentDocument.body.attributes;
  for (var i = 0; i < a.length; i++) { document.body.setAttribute(a[i].name, a[i].value); }
});
</script></body></html>`, width, html.EscapeString(page))
			file := filepath.Join(t.TempDir(), "wrapper.html")
			if err := os.WriteFile(file, []byte(wrapper), 0o644); err != nil {
				t.Fatal(err)
			}
			dom, _ := headless(t, bin, fmt.Sprintf("--window-size=%d,1000", width+200), "--virtual-time-budget=5000", "--dump-dom", "file://"+file)
			body := regexp.MustCompile(`<body[^>]*>`).Find(dom)
			attr := func(name string) string {
				m := regexp.MustCompile(name + `="([^"]*)"`).FindSubmatch(body)
				if m == nil {
					t.Fatalf("%s at %d px: body %s lacks %s", tc.name, width, body, name)
				}
				return string(m[1])
			}
			t.Logf("%s at %d px: %s", tc.name, width, body)
			if v := attr("data-viewport"); v != strconv.Itoa(width) {
				t.Errorf("%s: viewport %s px, want %d", tc.name, v, width)
			}
			if v := attr("data-page-overflow"); v != "0" {
				t.Errorf("%s at %d px: the page scrolls sideways by %s px", tc.name, width, v)
			}
			if v := attr("data-table-overflow"); width >= 1280 && v != "0" {
				t.Errorf("%s at %d px: the results table is cut off by %s px", tc.name, width, v)
			}
			if v := attr("data-broken-numbers"); v != "0" {
				t.Errorf("%s at %d px: %s numbers split across lines", tc.name, width, v)
			}
			if v, _ := strconv.ParseFloat(attr("data-chart-fill"), 64); v < 0.99 {
				t.Errorf("%s at %d px: a chart fills %.2f of its column, want all of it", tc.name, width, v)
			}
		}
	}
}
