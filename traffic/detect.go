package traffic

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
	"time"
)

// detectBytes is how much of a file Detect looks at.
const detectBytes = 64 << 10

// Detect names the format of a recording from its first 64 KiB (gzip is
// looked through): one of Formats, or an error saying what the start of
// the file looks like.
func Detect(r io.Reader) (format string, err error) {
	head, err := readHead(r)
	if err != nil {
		return "", err
	}
	if len(head) >= 2 && head[0] == 0x1f && head[1] == 0x8b {
		zr, err := gzip.NewReader(io.MultiReader(bytes.NewReader(head), r))
		if err != nil {
			return "", err
		}
		if head, err = readHead(zr); err != nil {
			return "", err
		}
	}
	return detect(head)
}

func readHead(r io.Reader) ([]byte, error) {
	buf := make([]byte, detectBytes)
	n, err := io.ReadFull(r, buf)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) {
		return nil, err
	}
	return buf[:n], nil
}

var clfLine = regexp.MustCompile(`^\S+ \S+ \S+ \[\d{2}/[A-Za-z]{3}/\d{4}:\d{2}:\d{2}:\d{2} [+-]\d{4}\]`)

func detect(head []byte) (string, error) {
	head = bytes.TrimPrefix(head, []byte("\xef\xbb\xbf"))
	t := bytes.TrimLeft(head, " \t\r\n")
	if len(t) == 0 {
		return "", errors.New("the file is empty")
	}
	has := func(s string) bool { return bytes.Contains(t, []byte(s)) }
	if t[0] == '{' || t[0] == '[' {
		switch {
		case has(`"MetricDataResults"`) || has(`"Datapoints"`):
			return FormatCloudWatch, nil
		case has("REPORT RequestId") || has(`"platform.`) || has("START RequestId"):
			return FormatLambdaReport, nil
		case has("requestTime") || has("requestId"):
			return FormatAPIGateway, nil
		case has(`"logEvents"`) || has(`"events"`):
			return FormatLambdaReport, nil
		}
		return "", errors.New("JSON that is not a CloudWatch metrics export (MetricDataResults, Datapoints), a CloudWatch Logs export (logEvents, events), Lambda's JSON log format or an API Gateway access log: name the format")
	}
	first, _, _ := bytes.Cut(t, []byte("\n"))
	first = bytes.TrimSuffix(first, []byte("\r"))
	if f := splitFields(first, nil); len(f) > 1 && isALBType(f[0]) {
		if _, err := time.Parse(time.RFC3339Nano, string(f[1])); err == nil {
			return FormatALB, nil
		}
	}
	if clfLine.Match(first) {
		return FormatAPIGateway, nil
	}
	{
		cols := strings.Split(string(first), ",")
		set := map[string]bool{}
		minutes := false
		for _, c := range cols {
			c = strings.TrimSpace(c)
			set[c] = true
			if c == "1" || c == "minute_1" || (len(c) > 0 && c[0] >= '0' && c[0] <= '9') {
				minutes = true
			}
		}
		switch {
		case set["HashFunction"] && minutes:
			return FormatAzure2019, nil
		case set["HashFunction"]:
			return "", errors.New("an Azure Functions 2019 file without minute columns (durations or memory?): replay the invocations file")
		case set["app"] && set["func"] && set["end_timestamp"] && set["duration"]:
			return FormatAzure2021, nil
		}
		for _, c := range cols {
			if _, ok := matchColumn(strings.Trim(c, `"`), CSVTimeColumns); ok {
				return FormatCSV, nil
			}
		}
	}
	for _, marker := range []string{"REPORT RequestId:", "START RequestId:", "END RequestId:", "INIT_START"} {
		if has(marker) {
			return FormatLambdaReport, nil
		}
	}
	// The first line is not quoted: a file that is no recording at all
	// (a path mistyped to /etc/passwd) must not have its content echoed.
	return "", fmt.Errorf("unrecognised format (the first line, %d bytes, matches none): name it (%s)", len(first), strings.Join(Formats, ", "))
}
