package awsfake

import (
	"encoding/xml"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// STS (service/sts v1.52.0) speaks the AWS query protocol: POST / with a
// form body Action=<Operation>&Version=2011-06-15, answered in XML. The fake
// answers GetCallerIdentity only, the call shiftsim makes to say which
// account it is about to act on.

// stsState is who the fake says the caller is, or the error it answers.
type stsState struct {
	arn, userID     string
	errCode, errMsg string
	errStatus       int
}

func (t *stsState) init() {
	t.arn, t.userID = "arn:aws:iam::"+Account+":user/shiftsim-test", "AIDAFAKEFAKEFAKEFAKE0"
}

// SetCaller sets the ARN GetCallerIdentity returns (its account is Account).
func (s *Server) SetCaller(arn string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sts.arn = arn
}

// RejectCredentials makes STS answer every call with the error AWS gives for
// bad credentials: code is InvalidClientTokenId (an unknown access key),
// SignatureDoesNotMatch (a wrong secret) or ExpiredToken (an expired
// session); "" accepts them again. Only STS checks: the other services of
// the fake accept any signature.
func (s *Server) RejectCredentials(code string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	msg := map[string]string{
		"InvalidClientTokenId":  "The security token included in the request is invalid.",
		"SignatureDoesNotMatch": "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.",
		"ExpiredToken":          "The security token included in the request is expired",
	}[code]
	s.sts.errCode, s.sts.errMsg, s.sts.errStatus = code, msg, http.StatusForbidden
}

// routeSTS recognises a query-protocol request.
func routeSTS(r *http.Request, req *request) (*request, bool) {
	if r.Method != http.MethodPost || r.URL.Path != "/" || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
		return nil, false
	}
	form, err := url.ParseQuery(string(req.body))
	if err != nil || form.Get("Action") == "" {
		return nil, false
	}
	req.svc, req.op = STS, form.Get("Action")
	return req, true
}

func (s *Server) handleSTS(req *request) response {
	if s.sts.errCode != "" {
		return apiErr(s.sts.errStatus, s.sts.errCode, "%s", s.sts.errMsg)
	}
	switch req.op {
	case "GetCallerIdentity":
		return ok(callerIdentity{Result: identity{Account: Account, Arn: s.sts.arn, UserID: s.sts.userID}})
	}
	return apiErr(http.StatusBadRequest, "InvalidAction", "The fake does not answer %s", req.op)
}

type callerIdentity struct {
	XMLName xml.Name `xml:"https://sts.amazonaws.com/doc/2011-06-15/ GetCallerIdentityResponse"`
	Result  identity `xml:"GetCallerIdentityResult"`
	Meta    struct {
		RequestID string `xml:"RequestId"`
	} `xml:"ResponseMetadata"`
}

type identity struct {
	Account string `xml:"Account"`
	Arn     string `xml:"Arn"`
	UserID  string `xml:"UserId"`
}

type stsError struct {
	XMLName xml.Name `xml:"https://sts.amazonaws.com/doc/2011-06-15/ ErrorResponse"`
	Error   struct {
		Type    string `xml:"Type"`
		Code    string `xml:"Code"`
		Message string `xml:"Message"`
	} `xml:"Error"`
	RequestID string `xml:"RequestId"`
}

// writeSTS encodes resp as the query protocol does.
func writeSTS(w http.ResponseWriter, resp response, requestID string) {
	w.Header().Set("Content-Type", "text/xml")
	var v any = resp.body
	if resp.errCode != "" {
		e := stsError{RequestID: requestID}
		e.Error.Type, e.Error.Code, e.Error.Message = "Sender", resp.errCode, resp.errMsg
		if resp.status >= 500 {
			e.Error.Type = "Receiver"
		}
		v = e
	} else if ci, ok := v.(callerIdentity); ok {
		ci.Meta.RequestID = requestID
		v = ci
	}
	b, err := xml.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("awsfake: %v", err))
	}
	w.WriteHeader(resp.status)
	w.Write(b)
}
