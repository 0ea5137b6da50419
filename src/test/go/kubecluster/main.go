// Command kubecluster runs a real Kubernetes control plane for meshgate's *RealClusterIT tests:
// embedded etcd, kube-apiserver and kube-controller-manager built from the Kubernetes Go modules,
// on loopback with free ports and everything under one directory. Nodes and kubelets are not
// here: the tests fake them through the API (io.meshgate.sim.FakeKubelet).
//
//	kubecluster up --dir DIR
//
// prints one JSON line once the cluster is ready ({"kubeconfig": ..., "server": ...,
// "apiServerPid": ..., ...}) and runs until it gets SIGTERM/SIGINT or its standard input closes, so
// a test JVM that dies takes the cluster with it. Meanwhile each line on its standard input is a
// command for the fault tests, answered by one JSON line on stdout once done ({"command": ...,
// "ok": true|false, "ms": ..., "error"/"pid": ...}):
//
//	restart kube-apiserver   SIGTERM, start it again with the same flags, wait for /readyz
//	pid kube-apiserver       its process id (SIGSTOP/SIGCONT freeze and thaw it)
//	stop etcd                close the embedded etcd; the API server stays up, unable to reach it
//	start etcd               start it again on the same data directory and ports
//
// kube-apiserver and kube-controller-manager run as child processes of the same binary (both set
// up process-wide signal handling, which may happen once per process).
package main

import (
	"fmt"
	"os"

	_ "time/tzdata" // CronJob time zones

	"k8s.io/component-base/cli"
	_ "k8s.io/component-base/logs/json/register"
	_ "k8s.io/component-base/metrics/prometheus/clientgo"
	_ "k8s.io/component-base/metrics/prometheus/version"
	apiserver "k8s.io/kubernetes/cmd/kube-apiserver/app"
	controllermanager "k8s.io/kubernetes/cmd/kube-controller-manager/app"
)

const usage = `usage:
  kubecluster up --dir DIR [--controllers LIST]   start etcd, kube-apiserver, kube-controller-manager
  kubecluster kube-apiserver FLAGS...             (internal) the API server
  kubecluster kube-controller-manager FLAGS...    (internal) the controller manager
`

func main() {
	if len(os.Args) < 2 {
		fmt.Fprint(os.Stderr, usage)
		os.Exit(64)
	}
	switch os.Args[1] {
	case "up":
		os.Exit(up(os.Args[2:]))
	case "kube-apiserver":
		command := apiserver.NewAPIServerCommand()
		command.SetArgs(os.Args[2:])
		os.Exit(cli.Run(command))
	case "kube-controller-manager":
		command := controllermanager.NewControllerManagerCommand()
		command.SetArgs(os.Args[2:])
		os.Exit(cli.Run(command))
	default:
		fmt.Fprintf(os.Stderr, "kubecluster: unknown command %q\n%s", os.Args[1], usage)
		os.Exit(64)
	}
}
