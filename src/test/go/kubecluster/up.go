package main

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"go.etcd.io/etcd/server/v3/embed"
)

// The controllers a migration needs (rollouts by the real workload controllers, garbage collection
// of old ReplicaSets and pods, namespace deletion, service-account tokens, PodDisruptionBudget
// status for evictions, Jobs); no node lifecycle, no scheduler: the tests' fake kubelet binds pods.
const defaultControllers = "deployment-controller,replicaset-controller,statefulset-controller," +
	"daemonset-controller,garbage-collector-controller,namespace-controller," +
	"serviceaccount-controller,serviceaccount-token-controller,disruption-controller," +
	"job-controller,cronjob-controller,pod-garbage-collector-controller," +
	"clusterrole-aggregation-controller"

// Ready is the line printed on stdout once the cluster serves requests.
type Ready struct {
	Kubeconfig string `json:"kubeconfig"`
	Server     string `json:"server"`
	CACert     string `json:"caCert"`
	AuditLog   string `json:"auditLog"`
	Dir        string `json:"dir"`
	StartupMs  int64  `json:"startupMs"`
	// the tests freeze it (SIGSTOP) to play an API server that hangs
	APIServerPid int `json:"apiServerPid"`
}

func up(args []string) int {
	flags := flag.NewFlagSet("up", flag.ContinueOnError)
	dir := flags.String("dir", "", "working directory: certificates, etcd data, kubeconfig, logs (required)")
	controllers := flags.String("controllers", defaultControllers, "kube-controller-manager --controllers")
	timeout := flags.Duration("timeout", 3*time.Minute, "how long to wait for the control plane to become ready")
	if err := flags.Parse(args); err != nil {
		return 64
	}
	if *dir == "" {
		fmt.Fprintln(os.Stderr, "kubecluster up: --dir is required")
		return 64
	}
	if err := run(*dir, *controllers, *timeout); err != nil {
		fmt.Fprintln(os.Stderr, "kubecluster up:", err)
		return 1
	}
	return 0
}

func run(dir, controllers string, timeout time.Duration) error {
	started := time.Now()
	dir, err := filepath.Abs(dir)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	pki, err := writePKI(dir)
	if err != nil {
		return fmt.Errorf("certificates: %w", err)
	}
	ports, err := freePorts(3)
	if err != nil {
		return err
	}
	etcdClient, etcdPeer, apiPort := ports[0], ports[1], ports[2]

	etcdDir := filepath.Join(dir, "etcd")
	etcd, err := startEtcd(etcdDir, etcdClient, etcdPeer)
	if err != nil {
		return fmt.Errorf("etcd: %w", err)
	}
	defer func() {
		if etcd != nil {
			etcd.Close()
		}
	}()

	server := fmt.Sprintf("https://127.0.0.1:%d", apiPort)
	adminKubeconfig := filepath.Join(dir, "kubeconfig")
	if err := writeKubeconfig(adminKubeconfig, server, pki, "admin"); err != nil {
		return err
	}
	kcmKubeconfig := filepath.Join(dir, "controller-manager.kubeconfig")
	if err := writeKubeconfig(kcmKubeconfig, server, pki, "controller-manager"); err != nil {
		return err
	}
	auditPolicy := filepath.Join(dir, "audit-policy.yaml")
	if err := os.WriteFile(auditPolicy, []byte(auditPolicyYAML), 0o600); err != nil {
		return err
	}
	auditLog := filepath.Join(dir, "audit.log")

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	// a parent that dies closes our stdin: take the cluster down with it; until then each line is
	// a command (see control)
	commands := make(chan string)
	go func() {
		lines := bufio.NewScanner(os.Stdin)
		for lines.Scan() {
			commands <- lines.Text()
		}
		stop()
	}()

	apiserverArgs := []string{
		"--etcd-servers=" + fmt.Sprintf("http://127.0.0.1:%d", etcdClient),
		"--bind-address=127.0.0.1",
		"--advertise-address=127.0.0.1",
		"--secure-port=" + strconv.Itoa(apiPort),
		"--tls-cert-file=" + pki.serverCert,
		"--tls-private-key-file=" + pki.serverKey,
		"--client-ca-file=" + pki.caCert,
		"--service-account-key-file=" + pki.saPublic,
		"--service-account-signing-key-file=" + pki.saPrivate,
		"--service-account-issuer=https://kubernetes.default.svc.cluster.local",
		"--api-audiences=https://kubernetes.default.svc.cluster.local",
		"--authorization-mode=RBAC",
		"--service-cluster-ip-range=10.96.0.0/16",
		"--endpoint-reconciler-type=none",
		"--allow-privileged=true",
		"--profiling=false",
		"--audit-policy-file=" + auditPolicy,
		"--audit-log-path=" + auditLog,
		"--audit-log-format=json",
		"--audit-log-mode=blocking",
		"--audit-log-maxsize=0",
		"--v=1",
	}
	apiserver, err := startChild(ctx, dir, "kube-apiserver", apiserverArgs...)
	if err != nil {
		return err
	}
	defer func() { apiserver.stop() }()

	client, err := adminHTTP(pki)
	if err != nil {
		return err
	}
	deadline := time.Now().Add(timeout)
	apiserverReady := func() bool { return get(client, server+"/readyz") == http.StatusOK }
	if err := waitFor(ctx, deadline, apiserver, "kube-apiserver /readyz", apiserverReady); err != nil {
		return err
	}

	kcm, err := startChild(ctx, dir, "kube-controller-manager",
		"--kubeconfig="+kcmKubeconfig,
		"--controllers="+controllers,
		"--service-account-private-key-file="+pki.saPrivate,
		"--root-ca-file="+pki.caCert,
		"--use-service-account-credentials=false",
		"--leader-elect=false",
		"--secure-port=0",
		"--kube-api-qps=200",
		"--kube-api-burst=400",
		"--concurrent-deployment-syncs=10",
		"--concurrent-replicaset-syncs=10",
		"--concurrent-statefulset-syncs=10",
		"--concurrent-daemonset-syncs=10",
		"--v=1",
	)
	if err != nil {
		return err
	}
	defer kcm.stop()
	// the service-account controller creates "default" in every namespace: the controllers run
	if err := waitFor(ctx, deadline, kcm, "kube-controller-manager (ServiceAccount default/default)", func() bool {
		return get(client, server+"/api/v1/namespaces/default/serviceaccounts/default") == http.StatusOK
	}); err != nil {
		return err
	}

	ready, _ := json.Marshal(Ready{
		Kubeconfig:   adminKubeconfig,
		Server:       server,
		CACert:       pki.caCert,
		AuditLog:     auditLog,
		Dir:          dir,
		StartupMs:    time.Since(started).Milliseconds(),
		APIServerPid: apiserver.cmd.Process.Pid,
	})
	fmt.Println(string(ready))

	control := map[string]func() (map[string]any, error){
		"restart kube-apiserver": func() (map[string]any, error) {
			apiserver.stop()
			restarted, err := startChild(ctx, dir, "kube-apiserver", apiserverArgs...)
			if err != nil {
				return nil, err
			}
			apiserver = restarted
			if err := waitFor(ctx, time.Now().Add(timeout), apiserver, "kube-apiserver /readyz", apiserverReady); err != nil {
				return nil, err
			}
			return map[string]any{"pid": apiserver.cmd.Process.Pid}, nil
		},
		"pid kube-apiserver": func() (map[string]any, error) {
			return map[string]any{"pid": apiserver.cmd.Process.Pid}, nil
		},
		"stop etcd": func() (map[string]any, error) {
			if etcd == nil {
				return nil, errors.New("etcd is already stopped")
			}
			etcd.Close()
			etcd = nil
			return map[string]any{}, nil
		},
		// the same data directory and ports: to the API server, etcd was only unreachable
		"start etcd": func() (map[string]any, error) {
			if etcd != nil {
				return nil, errors.New("etcd is already running")
			}
			restarted, err := startEtcd(etcdDir, etcdClient, etcdPeer)
			if err != nil {
				return nil, err
			}
			etcd = restarted
			return map[string]any{}, nil
		},
	}
	for {
		select {
		case <-ctx.Done():
			return nil
		case command := <-commands:
			answer(command, control[strings.TrimSpace(command)])
		case err := <-apiserver.exited:
			return fmt.Errorf("kube-apiserver exited: %v (log: %s)", err, apiserver.log)
		case err := <-kcm.exited:
			return fmt.Errorf("kube-controller-manager exited: %v (log: %s)", err, kcm.log)
		}
	}
}

// answer runs one control command and prints one JSON line on stdout once it is done:
// {"command": ..., "ok": true, "ms": ..., ...what it returned} or {"command": ..., "ok": false,
// "error": ...}. Commands run one at a time, in the order they were read.
func answer(command string, run func() (map[string]any, error)) {
	started := time.Now()
	result := map[string]any{}
	var err error
	if run == nil {
		err = fmt.Errorf("unknown command %q; known: restart kube-apiserver, pid kube-apiserver, stop etcd, start etcd", command)
	} else {
		result, err = run()
	}
	if err != nil {
		result = map[string]any{"error": err.Error()}
	}
	result["command"] = command
	result["ok"] = err == nil
	result["ms"] = time.Since(started).Milliseconds()
	line, _ := json.Marshal(result)
	fmt.Println(string(line))
}

// Audit log of every request except the control plane's own: tests count the daemon's requests
// and their answers (a 403 is a missing RBAC rule) from it.
const auditPolicyYAML = `apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: [RequestReceived]
rules:
  - level: None
    users: ["system:kube-controller-manager", "system:apiserver"]
  - level: None
    userGroups: ["system:nodes"]
  - level: Metadata
`

func startEtcd(dataDir string, clientPort, peerPort int) (*embed.Etcd, error) {
	cfg := embed.NewConfig()
	cfg.Name = "kubecluster"
	cfg.Dir = dataDir
	cfg.LogLevel = "error"
	cfg.LogOutputs = []string{filepath.Join(filepath.Dir(dataDir), "etcd.log")}
	clientURL := url.URL{Scheme: "http", Host: fmt.Sprintf("127.0.0.1:%d", clientPort)}
	peerURL := url.URL{Scheme: "http", Host: fmt.Sprintf("127.0.0.1:%d", peerPort)}
	cfg.ListenClientUrls = []url.URL{clientURL}
	cfg.AdvertiseClientUrls = []url.URL{clientURL}
	cfg.ListenPeerUrls = []url.URL{peerURL}
	cfg.AdvertisePeerUrls = []url.URL{peerURL}
	cfg.InitialCluster = cfg.InitialClusterFromName(cfg.Name)
	// a throw-away test cluster: durability buys nothing, fsync costs seconds per test
	cfg.UnsafeNoFsync = true
	cfg.QuotaBackendBytes = 8 << 30
	e, err := embed.StartEtcd(cfg)
	if err != nil {
		return nil, err
	}
	select {
	case <-e.Server.ReadyNotify():
		return e, nil
	case err := <-e.Err():
		e.Close()
		return nil, err
	case <-time.After(60 * time.Second):
		e.Close()
		return nil, errors.New("not ready within 60s")
	}
}

type child struct {
	name   string
	cmd    *exec.Cmd
	log    string
	exited chan error
}

// startChild runs this binary again as one control-plane component, its output in DIR/NAME.log.
func startChild(ctx context.Context, dir, name string, args ...string) (*child, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	logPath := filepath.Join(dir, name+".log")
	logFile, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(self, append([]string{name}, args...)...)
	cmd.Stdout = logFile
	cmd.Stderr = logFile
	// killed with us, even when we are killed with SIGKILL
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		logFile.Close()
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	c := &child{name: name, cmd: cmd, log: logPath, exited: make(chan error, 1)}
	go func() {
		c.exited <- cmd.Wait()
		logFile.Close()
	}()
	return c, nil
}

func (c *child) stop() {
	if c.cmd.ProcessState != nil {
		return
	}
	_ = c.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-c.exited:
	case <-time.After(10 * time.Second):
		_ = c.cmd.Process.Kill()
		<-c.exited
	}
}

func waitFor(ctx context.Context, deadline time.Time, c *child, what string, ok func() bool) error {
	for {
		if ok() {
			return nil
		}
		select {
		case <-ctx.Done():
			return errors.New("interrupted while waiting for " + what)
		case err := <-c.exited:
			return fmt.Errorf("%s exited while waiting for %s: %v; last lines of %s:\n%s",
				c.name, what, err, c.log, tail(c.log, 30))
		case <-time.After(100 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s not ready by the deadline; last lines of %s:\n%s", what, c.log, tail(c.log, 30))
		}
	}
}

func tail(path string, lines int) string {
	data, err := os.ReadFile(path)
	if err != nil {
		return err.Error()
	}
	all := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
	if len(all) > lines {
		all = all[len(all)-lines:]
	}
	return strings.Join(all, "\n")
}

func adminHTTP(pki *pki) (*http.Client, error) {
	cert, err := tls.LoadX509KeyPair(pki.adminCert, pki.adminKey)
	if err != nil {
		return nil, err
	}
	caPEM, err := os.ReadFile(pki.caCert)
	if err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(caPEM)
	return &http.Client{
		Timeout: 5 * time.Second,
		Transport: &http.Transport{TLSClientConfig: &tls.Config{
			Certificates: []tls.Certificate{cert},
			RootCAs:      pool,
		}},
	}, nil
}

func get(client *http.Client, u string) int {
	resp, err := client.Get(u)
	if err != nil {
		return 0
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

func freePorts(n int) ([]int, error) {
	var listeners []net.Listener
	defer func() {
		for _, l := range listeners {
			l.Close()
		}
	}()
	ports := make([]int, 0, n)
	for i := 0; i < n; i++ {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		listeners = append(listeners, l)
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}
