package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	_ "github.com/lib/pq"
)

// cluster is a PostgreSQL cluster of the suite's own, made with initdb in a
// temporary folder and listening on a free loopback port: the suite
// restarts it (pg_ctl restart -m fast / immediate), which it must never do
// to a cluster someone else uses, such as the one `make test` shares.
type cluster struct {
	bin  string // the folder of initdb, pg_ctl and postgres
	dir  string // the temporary folder: pgdata/, sock/, log
	port int
	// asPG runs the PostgreSQL programs as the postgres user when the suite
	// runs as root, for PostgreSQL refuses to run as root (as scripts/dev-db).
	asPG []string
}

// findPostgres returns the folder of the newest PostgreSQL (15 or later) on
// PATH or under /usr/lib/postgresql, where scripts/dev-db looks too.
func findPostgres() (string, error) {
	var dirs []string
	if p, err := exec.LookPath("pg_ctl"); err == nil {
		if r, err := filepath.EvalSymlinks(p); err == nil {
			dirs = append(dirs, filepath.Dir(r))
		}
	}
	found, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Sort(sort.Reverse(sort.StringSlice(found)))
	dirs = append(dirs, found...)
	for _, d := range dirs {
		out, err := exec.Command(filepath.Join(d, "pg_ctl"), "--version").Output()
		if err != nil {
			continue
		}
		f := strings.Fields(string(out))
		if len(f) < 3 {
			continue
		}
		major, _ := strconv.Atoi(strings.SplitN(f[2], ".", 2)[0])
		if major >= 15 {
			if _, err := os.Stat(filepath.Join(d, "initdb")); err == nil {
				return d, nil
			}
		}
	}
	return "", errors.New("PostgreSQL 15 or newer not found (initdb and pg_ctl on PATH or under /usr/lib/postgresql/N/bin)")
}

// freePort asks the kernel for a free loopback port.
func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// newCluster initialises and starts the suite's cluster under dir.
func newCluster(ctx context.Context, dir string) (*cluster, error) {
	bin, err := findPostgres()
	if err != nil {
		return nil, err
	}
	c := &cluster{bin: bin, dir: dir}
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			return nil, errors.New("running as root needs a postgres user to run PostgreSQL as (scripts/dev-db makes one)")
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chown(dir, uid, gid); err != nil {
			return nil, err
		}
		c.asPG = []string{"runuser", "-u", "postgres", "--"}
	}
	if c.port, err = freePort(); err != nil {
		return nil, err
	}
	pgdata := filepath.Join(dir, "pgdata")
	if out, err := c.pg(ctx, "initdb", "-D", pgdata, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C").CombinedOutput(); err != nil {
		return nil, fmt.Errorf("initdb: %v\n%s", err, out)
	}
	if out, err := c.pg(ctx, "mkdir", "-m", "700", filepath.Join(dir, "sock")).CombinedOutput(); err != nil {
		return nil, fmt.Errorf("mkdir sock: %v\n%s", err, out)
	}
	conf := fmt.Sprintf(`
# --- the fault suite's own throwaway cluster (scripts/chaos) ---
listen_addresses = '127.0.0.1'
port = %d
unix_socket_directories = '%s'
fsync = off
full_page_writes = off
max_connections = 200
shared_buffers = 32MB
`, c.port, filepath.Join(dir, "sock"))
	f, err := os.OpenFile(filepath.Join(pgdata, "postgresql.conf"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		return nil, err
	}
	_, err = f.WriteString(conf)
	f.Close()
	if err != nil {
		return nil, err
	}
	return c, c.ctl(ctx, "start")
}

// pg prepares a PostgreSQL program (or any command) run as the cluster's
// owner.
func (c *cluster) pg(ctx context.Context, name string, args ...string) *exec.Cmd {
	if p := filepath.Join(c.bin, name); fileExists(p) {
		name = p
	}
	argv := append(append(append([]string{}, c.asPG...), name), args...)
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Dir = "/"
	return cmd
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// ctl runs pg_ctl: "start", "stop" or "restart", with extra arguments
// ("-m", "immediate"); it waits for the cluster (at most a minute).
func (c *cluster) ctl(ctx context.Context, action string, extra ...string) error {
	args := []string{action, "-D", filepath.Join(c.dir, "pgdata"), "-w", "-t", "60", "-l", filepath.Join(c.dir, "log")}
	if action == "stop" {
		args = []string{action, "-D", filepath.Join(c.dir, "pgdata"), "-w", "-t", "60"}
	}
	args = append(args, extra...)
	if out, err := c.pg(ctx, "pg_ctl", args...).CombinedOutput(); err != nil {
		return fmt.Errorf("pg_ctl %s: %v\n%s", action, err, out)
	}
	return nil
}

// url is the URL of database name on the cluster.
func (c *cluster) url(name string) string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/%s?sslmode=disable", c.port, name)
}

// createDB makes a database, a copy of template unless that is "".
func (c *cluster) createDB(ctx context.Context, name, template string) (string, error) {
	admin, err := sqlx.Open("postgres", c.url("postgres"))
	if err != nil {
		return "", err
	}
	defer admin.Close()
	cctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	q := `CREATE DATABASE ` + name
	if template != "" {
		q += ` TEMPLATE ` + template
	}
	if _, err := admin.ExecContext(cctx, q); err != nil {
		return "", fmt.Errorf("create database %s: %w", name, err)
	}
	return c.url(name), nil
}

// stop stops the cluster and removes its folder.
func (c *cluster) stop() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := c.ctl(ctx, "stop", "-m", "fast"); err != nil {
		fmt.Fprintln(os.Stderr, "chaos:", err)
	}
	_ = os.RemoveAll(c.dir)
}
