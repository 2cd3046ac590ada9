package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"
)

// httpClient is the suite's client: loopback, no keep-alive surprises after
// a kill, every request bounded in time.
var httpClient = &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 64}}

// reply is an answer read whole.
type reply struct {
	status int
	header http.Header
	body   []byte
}

// code is the problem document's code, or "".
func (r reply) code() string {
	var p struct {
		Code string `json:"code"`
	}
	_ = json.Unmarshal(r.body, &p)
	return p.Code
}

// object decodes the body as a JSON object (nil when it is not one).
func (r reply) object() map[string]any {
	var m map[string]any
	dec := json.NewDecoder(bytes.NewReader(r.body))
	dec.UseNumber()
	if dec.Decode(&m) != nil {
		return nil
	}
	return m
}

// call sends one request. body is sent as is with contentType (JSON when
// contentType is "" and body is not nil); headers come in pairs.
func call(ctx context.Context, method, url, token string, body []byte, contentType string, headers ...string) (reply, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, url, rd)
	if err != nil {
		return reply{}, err
	}
	if body != nil {
		if contentType == "" {
			contentType = "application/json"
		}
		req.Header.Set("Content-Type", contentType)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	res, err := httpClient.Do(req)
	if err != nil {
		return reply{}, err
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(res.Body, 64<<20))
	if err != nil {
		return reply{}, err
	}
	return reply{status: res.StatusCode, header: res.Header, body: raw}, nil
}

// jsonBody encodes v.
func jsonBody(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

// login signs in and returns the token.
func login(ctx context.Context, base, username, password string) (string, error) {
	r, err := call(ctx, "POST", base+"/api/v1/auth/login", "", jsonBody(map[string]string{"username": username, "password": password}), "")
	if err != nil {
		return "", err
	}
	if r.status != http.StatusOK {
		return "", fmt.Errorf("login %s: %d %s", username, r.status, r.body)
	}
	tok, _ := r.object()["token"].(string)
	return tok, nil
}
