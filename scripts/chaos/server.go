package main

import (
	"bufio"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// server is one `taahod serve` process over one scenario's database, on a
// loopback port kept across restarts so that clients can retry at the same
// address.
type server struct {
	binary, dbURL, key, logPath string
	port                        int
	cmd                         *exec.Cmd
	exited                      chan struct{}
}

// writeSigningKey writes a fresh Ed25519 key (PEM PKCS#8) for certificates.
func writeSigningKey(dir string) (string, error) {
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return "", err
	}
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return "", err
	}
	path := filepath.Join(dir, "signing-key.pem")
	return path, os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600)
}

func (s *server) base() string { return "http://127.0.0.1:" + strconv.Itoa(s.port) }

// start starts the server and waits until /readyz answers 200 (at most 60 s).
func (s *server) start(ctx context.Context) error {
	logs, err := os.OpenFile(s.logPath, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	cmd := exec.Command(s.binary, "serve", "--addr", "127.0.0.1:"+strconv.Itoa(s.port), "--database-url", s.dbURL)
	cmd.Env = append(os.Environ(), "TAAHOD_SIGNING_KEY="+s.key, "TAAHOD_DB_MAX_CONNS=16", "TAAHOD_LOG_LEVEL=warn")
	cmd.Stdout, cmd.Stderr = logs, logs
	if err := cmd.Start(); err != nil {
		logs.Close()
		return err
	}
	s.cmd = cmd
	s.exited = make(chan struct{})
	go func() { _ = cmd.Wait(); logs.Close(); close(s.exited) }()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-s.exited:
			return fmt.Errorf("taahod serve exited at start; see %s", s.logPath)
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
		res, err := http.Get(s.base() + "/readyz")
		if err == nil {
			_, _ = io.Copy(io.Discard, res.Body)
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return nil
			}
		}
	}
	return errors.New("taahod serve was not ready within 60 s; see " + s.logPath)
}

// kill9 kills the server with SIGKILL and waits for it to be gone.
func (s *server) kill9() {
	if s.cmd == nil {
		return
	}
	_ = s.cmd.Process.Signal(syscall.SIGKILL)
	<-s.exited
	s.cmd = nil
}

// stop ends the server with SIGTERM (SIGKILL after 10 s).
func (s *server) stop() {
	if s.cmd == nil {
		return
	}
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.exited:
	case <-time.After(10 * time.Second):
		_ = s.cmd.Process.Signal(syscall.SIGKILL)
		<-s.exited
	}
	s.cmd = nil
}

// command runs `taahod ARGS` against the server's database with stdin and
// returns what it printed; a non-zero exit is an error carrying the output.
func (s *server) command(ctx context.Context, stdin string, args ...string) (string, error) {
	cctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(cctx, s.binary, append(args, "--database-url", s.dbURL)...)
	cmd.Env = append(os.Environ(), "TAAHOD_SIGNING_KEY="+s.key)
	cmd.Stdin = strings.NewReader(stdin)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return string(out), fmt.Errorf("taahod %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out), nil
}

// seedDemo loads the demo data and returns the demo users' passwords by
// user name, read from the table seed-demo prints.
func (s *server) seedDemo(ctx context.Context) (map[string]string, error) {
	out, err := s.command(ctx, "", "seed-demo")
	if err != nil {
		return nil, err
	}
	users := map[string]string{}
	sc := bufio.NewScanner(strings.NewReader(out))
	table := false
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) == 3 && f[0] == "username" {
			table = true
			continue
		}
		if table && len(f) == 3 {
			users[f[0]] = f[1]
		}
	}
	if len(users) == 0 {
		return nil, errors.New("seed-demo printed no users:\n" + out)
	}
	return users, nil
}

// addUser adds a user with `taahod user add`, the password on stdin.
func (s *server) addUser(ctx context.Context, name, password, role string, units ...int64) error {
	args := []string{"user", "add", "--username", name, "--role", role}
	for _, u := range units {
		args = append(args, "--unit", strconv.FormatInt(u, 10))
	}
	_, err := s.command(ctx, password+"\n", args...)
	return err
}
