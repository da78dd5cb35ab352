//go:build unix

package awsexec_test

import (
	"archive/zip"
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	ltypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/shiftsim/shiftsim/awsexec"
)

// The moto integration test runs the real shiftsim binary's alias executor
// against moto's standalone server (docs/aws-executor-tests.md): an
// independent implementation of Lambda's API, so that the executor is held
// to something other than our own fake. moto does not speak CloudWatch's
// RPCv2-CBOR protocol, so the plan has no alarms; nor does it run function
// code without Docker, so it has no hooks.

// motoScenario deploys FUNCTION:live from version 1 to 2 with a custom
// canary: 50 % at once, 100 % one minute later (CodeDeploy's smallest
// interval).
const motoScenario = `name: moto-it
function: {name: FUNCTION, alias: live}
traffic: {rate: 1}
versions:
  current: {version: "1", error_rate: 0.001, latency: {median: 50ms, p99: 200ms}}
  target: {version: "2", error_rate: 0.001}
deployment:
  strategies:
    - DeploymentConfigName: shiftsim-it-Canary50Percent1Minute
      ComputePlatform: Lambda
      TrafficRoutingConfig: {Type: TimeBasedCanary, TimeBasedCanary: {CanaryPercentage: 50, CanaryInterval: 1}}
`

// motoAppConfigScenario deploys FUNCTION:live with an AppConfig strategy
// CodeDeploy cannot run, with fractional weights: EXPONENTIAL from 12.5 %
// over one minute, 12.5, 25, 50 and 100 % at 15, 30, 45 and 60 s, no bake.
const motoAppConfigScenario = `name: moto-it-appconfig
function: {name: FUNCTION, alias: live}
traffic: {rate: 1}
versions:
  current: {version: "1", error_rate: 0.001, latency: {median: 50ms, p99: 200ms}}
  target: {version: "2", error_rate: 0.001}
deployment:
  strategies:
    - DeploymentStrategy: {Name: it-Exp12.5, GrowthType: EXPONENTIAL, GrowthFactor: 12.5, DeploymentDurationInMinutes: 1, FinalBakeTimeInMinutes: 0}
`

// moto is one moto_server process on a free local port.
type moto struct {
	url    string
	lambda *lambda.Client
}

// startMoto starts moto_server, or skips the test with the reason.
func startMoto(t *testing.T) *moto {
	t.Helper()
	if testing.Short() {
		t.Skip("the moto integration test takes over a minute: skipped with -short")
	}
	bin, err := exec.LookPath("moto_server")
	if err != nil {
		t.Skip("moto_server is not on PATH: install it (pip install 'moto[server]') to run the alias executor against moto")
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	cmd := exec.Command(bin, "-H", "127.0.0.1", "-p", fmt.Sprint(port))
	var log bytes.Buffer
	cmd.Stdout, cmd.Stderr = &log, &log
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} // moto_server may be a shim that starts python
	if err := cmd.Start(); err != nil {
		t.Skipf("moto_server does not start: %v", err)
	}
	t.Cleanup(func() {
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) // the process group this test started
		cmd.Wait()
	})
	m := &moto{url: fmt.Sprintf("http://127.0.0.1:%d", port)}
	deadline := time.Now().Add(60 * time.Second)
	for {
		resp, err := http.Get(m.url + "/moto-api/")
		if err == nil {
			resp.Body.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("moto_server did not answer on %s within 60 s: %v\n%s", m.url, err, log.String())
		}
		time.Sleep(200 * time.Millisecond)
	}
	cfg := aws.Config{Region: "us-east-1", BaseEndpoint: aws.String(m.url),
		Credentials: credentials.NewStaticCredentialsProvider("testing", "testing", "")}
	m.lambda = lambda.NewFromConfig(cfg)
	// moto insists that a function's role exists: create it with IAM's
	// query API (the module has no IAM client, and moto checks no signature).
	form := url.Values{"Action": {"CreateRole"}, "Version": {"2010-05-08"}, "RoleName": {"shiftsim-it"}, "AssumeRolePolicyDocument": {"{}"}}
	req, _ := http.NewRequest(http.MethodPost, m.url+"/", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/iam/aws4_request, SignedHeaders=host, Signature=0")
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("IAM CreateRole on moto: %v %v", err, resp)
	}
	resp.Body.Close()
	return m
}

// function creates fn with versions 1 and 2 and alias live on version 1.
func (m *moto) function(t *testing.T, fn string) {
	t.Helper()
	var z bytes.Buffer
	zw := zip.NewWriter(&z)
	w, _ := zw.Create("index.py")
	w.Write([]byte("def handler(event, context):\n    return {}\n"))
	zw.Close()
	ctx := context.Background()
	_, err := m.lambda.CreateFunction(ctx, &lambda.CreateFunctionInput{FunctionName: aws.String(fn), Runtime: ltypes.RuntimePython312,
		Role: aws.String("arn:aws:iam::123456789012:role/shiftsim-it"), Handler: aws.String("index.handler"), Code: &ltypes.FunctionCode{ZipFile: z.Bytes()}})
	if err != nil {
		t.Fatal(err)
	}
	for v := 1; v <= 2; v++ {
		if v > 1 { // moto publishes a new version only after a code update
			if _, err := m.lambda.UpdateFunctionCode(ctx, &lambda.UpdateFunctionCodeInput{FunctionName: aws.String(fn), ZipFile: z.Bytes()}); err != nil {
				t.Fatal(err)
			}
		}
		out, err := m.lambda.PublishVersion(ctx, &lambda.PublishVersionInput{FunctionName: aws.String(fn)})
		if err != nil || aws.ToString(out.Version) != fmt.Sprint(v) {
			t.Fatalf("PublishVersion: %v %v", err, out)
		}
	}
	if _, err := m.lambda.CreateAlias(ctx, &lambda.CreateAliasInput{FunctionName: aws.String(fn), Name: aws.String("live"), FunctionVersion: aws.String("1")}); err != nil {
		t.Fatal(err)
	}
}

// alias is the alias as "version" or "version+other@weight".
func (m *moto) alias(t *testing.T, fn string) string {
	t.Helper()
	out, err := m.lambda.GetAlias(context.Background(), &lambda.GetAliasInput{FunctionName: aws.String(fn), Name: aws.String("live")})
	if err != nil {
		t.Fatal(err)
	}
	s := aws.ToString(out.FunctionVersion)
	if out.RoutingConfig != nil {
		for v, w := range out.RoutingConfig.AdditionalVersionWeights {
			s += fmt.Sprintf("+%s@%g", v, w)
		}
	}
	return s
}

// buildShiftsim builds the command once per test binary.
var buildShiftsim = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "shiftsim-it-")
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "shiftsim")
	out, err := exec.Command("go", "build", "-o", bin, "github.com/shiftsim/shiftsim/cmd/shiftsim").CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("go build: %v\n%s", err, out)
	}
	return bin, nil
})

// run is one shiftsim process whose stdout is read line by line.
type run struct {
	cmd   *exec.Cmd
	mu    sync.Mutex
	out   strings.Builder
	lines chan string
	done  chan struct{}
}

// shiftsim starts the binary with the SDK's chain pointed at moto.
func (m *moto) shiftsim(t *testing.T, args ...string) *run {
	t.Helper()
	bin, err := buildShiftsim()
	if err != nil {
		t.Fatal(err)
	}
	r := &run{cmd: exec.Command(bin, append(args, "--endpoint-url", m.url)...), lines: make(chan string, 1000), done: make(chan struct{})}
	r.cmd.Env = append(os.Environ(), "AWS_ACCESS_KEY_ID=testing", "AWS_SECRET_ACCESS_KEY=testing", "AWS_SESSION_TOKEN=", "AWS_REGION=us-east-1",
		"AWS_PROFILE=", "AWS_EC2_METADATA_DISABLED=true", "AWS_CONFIG_FILE=/nonexistent", "AWS_SHARED_CREDENTIALS_FILE=/nonexistent", "NO_COLOR=1")
	r.cmd.Dir = t.TempDir()
	stdout, err := r.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	r.cmd.Stderr = &lockedWriter{r: r}
	if err := r.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			r.mu.Lock()
			r.out.WriteString(sc.Text() + "\n")
			r.mu.Unlock()
			select {
			case r.lines <- sc.Text():
			default:
			}
		}
		close(r.done)
	}()
	t.Cleanup(func() {
		if r.cmd.ProcessState == nil {
			r.cmd.Process.Kill() // the process this test started, if a failure left it running
			r.cmd.Wait()
		}
	})
	return r
}

type lockedWriter struct{ r *run }

func (w *lockedWriter) Write(b []byte) (int, error) {
	w.r.mu.Lock()
	defer w.r.mu.Unlock()
	return w.r.out.Write(b)
}

func (r *run) output() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.out.String()
}

// waitFor reads lines until one contains s.
func (r *run) waitFor(t *testing.T, s string, timeout time.Duration) {
	t.Helper()
	deadline := time.After(timeout)
	for {
		select {
		case l := <-r.lines:
			if strings.Contains(l, s) {
				return
			}
		case <-r.done:
			t.Fatalf("shiftsim ended before printing %q:\n%s", s, r.output())
		case <-deadline:
			t.Fatalf("no %q within %v:\n%s", s, timeout, r.output())
		}
	}
}

// wait waits for the process and returns its exit status (-1 if killed).
func (r *run) wait(t *testing.T) int {
	t.Helper()
	<-r.done
	err := r.cmd.Wait()
	var ee *exec.ExitError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &ee):
		return ee.ExitCode()
	}
	t.Fatal(err)
	return 0
}

// TestAliasExecutorOnMoto: the alias executor of the shiftsim binary against
// moto: a custom canary runs to its end; SIGTERM in the middle of the shift
// rolls back; kill -9 in the middle, then --resume --rollback, puts the alias
// back on version 1; an AppConfig plan with fractional weights runs to its
// end, and, stopped without rollback by SIGTERM, is reset by --resume
// --rollback.
func TestAliasExecutorOnMoto(t *testing.T) {
	m := startMoto(t)
	scenarioOf := func(t *testing.T, src, fn string) string {
		p := filepath.Join(t.TempDir(), "moto.yaml")
		if err := os.WriteFile(p, []byte(strings.ReplaceAll(src, "FUNCTION", fn)), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	scenarioFor := func(t *testing.T, fn string) string { return scenarioOf(t, motoScenario, fn) }
	const midShift = "version 2 weight 50%"

	t.Run("runs to the end", func(t *testing.T) {
		t.Parallel()
		m.function(t, "orders-end")
		journal := filepath.Join(t.TempDir(), "j.jsonl")
		r := m.shiftsim(t, "deploy", scenarioFor(t, "orders-end"), "--executor", "alias", "--yes", "--journal", journal)
		if code := r.wait(t); code != 0 || m.alias(t, "orders-end") != "2" {
			t.Fatalf("exit %d, alias %s\n%s", code, m.alias(t, "orders-end"), r.output())
		}
		out := r.output()
		for _, want := range []string{midShift, "FunctionVersion 2, no additional version (100% to 2)", "Succeeded: alias orders-end:live is at version 2"} {
			if !strings.Contains(out, want) {
				t.Fatalf("output lacks %q:\n%s", want, out)
			}
		}
		if fin := lastJournaled(t, journal); fin.Type != awsexec.RecFinish || fin.Status != "Succeeded" || fin.Alias.Version != "2" {
			t.Fatalf("journal ends with %+v", fin)
		}
	})

	t.Run("SIGTERM rolls back", func(t *testing.T) {
		t.Parallel()
		m.function(t, "orders-term")
		journal := filepath.Join(t.TempDir(), "j.jsonl")
		r := m.shiftsim(t, "deploy", scenarioFor(t, "orders-term"), "--executor", "alias", "--yes", "--journal", journal)
		r.waitFor(t, midShift, 60*time.Second)
		if a := m.alias(t, "orders-term"); a != "1+2@0.5" {
			t.Fatalf("mid-shift alias %s\n%s", a, r.output())
		}
		r.cmd.Process.Signal(syscall.SIGTERM)
		code := r.wait(t)
		if code != 1 || m.alias(t, "orders-term") != "1" || !strings.Contains(r.output(), "INTERRUPTED: rolling back") {
			t.Fatalf("exit %d, alias %s\n%s", code, m.alias(t, "orders-term"), r.output())
		}
		if fin := lastJournaled(t, journal); fin.Type != awsexec.RecFinish || fin.Cause != "interrupt" || fin.Alias.Version != "1" || len(fin.Alias.Weights) != 0 {
			t.Fatalf("journal ends with %+v", fin)
		}
	})

	// An AppConfig plan through the alias executor: every fractional weight
	// reaches moto as sent (0.125 read back as 0.125), and the plan ends.
	t.Run("AppConfig plan to the end", func(t *testing.T) {
		t.Parallel()
		m.function(t, "orders-ac")
		journal := filepath.Join(t.TempDir(), "j.jsonl")
		r := m.shiftsim(t, "deploy", scenarioOf(t, motoAppConfigScenario, "orders-ac"), "--yes", "--journal", journal)
		r.waitFor(t, "version 2 weight 12.5%", 60*time.Second)
		if a := m.alias(t, "orders-ac"); a != "1+2@0.125" {
			t.Fatalf("alias at the first step: %s\n%s", a, r.output())
		}
		if code := r.wait(t); code != 0 || m.alias(t, "orders-ac") != "2" {
			t.Fatalf("exit %d, alias %s\n%s", code, m.alias(t, "orders-ac"), r.output())
		}
		out := r.output()
		for _, want := range []string{"executor alias", "version 2 weight 25%", "version 2 weight 50%", "Succeeded: alias orders-ac:live is at version 2"} {
			if !strings.Contains(out, want) {
				t.Fatalf("output lacks %q:\n%s", want, out)
			}
		}
	})

	// SIGTERM with --on-interrupt=stop: Stopped, the alias left at 25 %;
	// --resume --rollback then resets it.
	t.Run("AppConfig plan stopped without rollback, then reset", func(t *testing.T) {
		t.Parallel()
		m.function(t, "orders-acstop")
		journal := filepath.Join(t.TempDir(), "j.jsonl")
		r := m.shiftsim(t, "deploy", scenarioOf(t, motoAppConfigScenario, "orders-acstop"), "--yes", "--journal", journal, "--on-interrupt", "stop")
		r.waitFor(t, "version 2 weight 25%", 60*time.Second)
		r.cmd.Process.Signal(syscall.SIGTERM)
		code := r.wait(t)
		if code != 1 || m.alias(t, "orders-acstop") != "1+2@0.25" || !strings.Contains(r.output(), "STOPPING WITHOUT ROLLBACK") {
			t.Fatalf("exit %d, alias %s\n%s", code, m.alias(t, "orders-acstop"), r.output())
		}
		if fin := lastJournaled(t, journal); fin.Type != awsexec.RecFinish || fin.ErrorCode != "MANUAL_STOP" || fin.Alias.Weights["2"] != 0.25 {
			t.Fatalf("journal ends with %+v", fin)
		}
		rb := m.shiftsim(t, "deploy", "--resume", "--rollback", "--yes", "--journal", journal)
		if code := rb.wait(t); code != 1 || m.alias(t, "orders-acstop") != "1" || !strings.Contains(rb.output(), "rolled back") {
			t.Fatalf("--resume --rollback: exit %d, alias %s\n%s", code, m.alias(t, "orders-acstop"), rb.output())
		}
	})

	t.Run("kill -9 then --resume --rollback", func(t *testing.T) {
		t.Parallel()
		m.function(t, "orders-kill")
		journal := filepath.Join(t.TempDir(), "j.jsonl")
		r := m.shiftsim(t, "deploy", scenarioFor(t, "orders-kill"), "--executor", "alias", "--yes", "--journal", journal)
		r.waitFor(t, midShift, 60*time.Second)
		r.cmd.Process.Signal(syscall.SIGKILL)
		r.wait(t)
		if a := m.alias(t, "orders-kill"); a != "1+2@0.5" {
			t.Fatalf("alias after kill -9: %s\n%s", a, r.output())
		}
		rb := m.shiftsim(t, "deploy", "--resume", "--rollback", "--yes", "--journal", journal)
		code := rb.wait(t)
		if code != 1 || m.alias(t, "orders-kill") != "1" || !strings.Contains(rb.output(), "rolled back") {
			t.Fatalf("--resume --rollback: exit %d, alias %s\n%s", code, m.alias(t, "orders-kill"), rb.output())
		}
		if fin := lastJournaled(t, journal); fin.Type != awsexec.RecFinish || fin.Alias.Version != "1" || len(fin.Alias.Weights) != 0 {
			t.Fatalf("journal ends with %+v", fin)
		}
	})
}
