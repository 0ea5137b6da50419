package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"time"
)

// pki holds the paths of the cluster's certificates and keys, all under DIR/pki.
type pki struct {
	caCert, serverCert, serverKey               string
	adminCert, adminKey                         string
	controllerManagerCert, controllerManagerKey string
	saPublic, saPrivate                         string
}

func writePKI(dir string) (*pki, error) {
	base := filepath.Join(dir, "pki")
	if err := os.MkdirAll(base, 0o700); err != nil {
		return nil, err
	}
	p := &pki{
		caCert:                filepath.Join(base, "ca.crt"),
		serverCert:            filepath.Join(base, "apiserver.crt"),
		serverKey:             filepath.Join(base, "apiserver.key"),
		adminCert:             filepath.Join(base, "admin.crt"),
		adminKey:              filepath.Join(base, "admin.key"),
		controllerManagerCert: filepath.Join(base, "controller-manager.crt"),
		controllerManagerKey:  filepath.Join(base, "controller-manager.key"),
		saPublic:              filepath.Join(base, "sa.pub"),
		saPrivate:             filepath.Join(base, "sa.key"),
	}
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	caTemplate := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "kubecluster-ca"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(10 * 365 * 24 * time.Hour),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTemplate, caTemplate, &caKey.PublicKey, caKey)
	if err != nil {
		return nil, err
	}
	ca, err := x509.ParseCertificate(caDER)
	if err != nil {
		return nil, err
	}
	if err := writePEM(p.caCert, "CERTIFICATE", caDER); err != nil {
		return nil, err
	}
	issue := func(certPath, keyPath string, subject pkix.Name, usage x509.ExtKeyUsage, serial int64, server bool) error {
		// RSA in PKCS#1: every client reads it (fabric8 needs no extra security provider)
		key, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			return err
		}
		template := &x509.Certificate{
			SerialNumber: big.NewInt(serial),
			Subject:      subject,
			NotBefore:    time.Now().Add(-time.Hour),
			NotAfter:     time.Now().Add(10 * 365 * 24 * time.Hour),
			KeyUsage:     x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
			ExtKeyUsage:  []x509.ExtKeyUsage{usage},
		}
		if server {
			template.IPAddresses = []net.IP{net.ParseIP("127.0.0.1"), net.ParseIP("10.96.0.1")}
			template.DNSNames = []string{"localhost", "kubernetes", "kubernetes.default",
				"kubernetes.default.svc", "kubernetes.default.svc.cluster.local"}
		}
		der, err := x509.CreateCertificate(rand.Reader, template, ca, &key.PublicKey, caKey)
		if err != nil {
			return err
		}
		if err := writePEM(certPath, "CERTIFICATE", der); err != nil {
			return err
		}
		return writePEM(keyPath, "RSA PRIVATE KEY", x509.MarshalPKCS1PrivateKey(key))
	}
	if err := issue(p.serverCert, p.serverKey, pkix.Name{CommonName: "kube-apiserver"},
		x509.ExtKeyUsageServerAuth, 2, true); err != nil {
		return nil, err
	}
	// the tests' own client: cluster-admin through system:masters
	if err := issue(p.adminCert, p.adminKey,
		pkix.Name{CommonName: "kubecluster-admin", Organization: []string{"system:masters"}},
		x509.ExtKeyUsageClientAuth, 3, false); err != nil {
		return nil, err
	}
	if err := issue(p.controllerManagerCert, p.controllerManagerKey,
		pkix.Name{CommonName: "system:kube-controller-manager", Organization: []string{"system:masters"}},
		x509.ExtKeyUsageClientAuth, 4, false); err != nil {
		return nil, err
	}
	saKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, err
	}
	if err := writePEM(p.saPrivate, "RSA PRIVATE KEY", x509.MarshalPKCS1PrivateKey(saKey)); err != nil {
		return nil, err
	}
	saPub, err := x509.MarshalPKIXPublicKey(&saKey.PublicKey)
	if err != nil {
		return nil, err
	}
	if err := writePEM(p.saPublic, "PUBLIC KEY", saPub); err != nil {
		return nil, err
	}
	return p, nil
}

func writePEM(path, kind string, der []byte) error {
	return os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: kind, Bytes: der}), 0o600)
}

// writeKubeconfig writes a kubeconfig for user "admin" or "controller-manager", data inlined so
// that any client (fabric8, kubectl) can read it without relative paths.
func writeKubeconfig(path, server string, p *pki, user string) error {
	certPath, keyPath := p.adminCert, p.adminKey
	if user == "controller-manager" {
		certPath, keyPath = p.controllerManagerCert, p.controllerManagerKey
	}
	encoded := func(file string) (string, error) {
		data, err := os.ReadFile(file)
		return base64.StdEncoding.EncodeToString(data), err
	}
	ca, err := encoded(p.caCert)
	if err != nil {
		return err
	}
	cert, err := encoded(certPath)
	if err != nil {
		return err
	}
	key, err := encoded(keyPath)
	if err != nil {
		return err
	}
	config := fmt.Sprintf(`apiVersion: v1
kind: Config
clusters:
  - name: kubecluster
    cluster:
      server: %s
      certificate-authority-data: %s
users:
  - name: %s
    user:
      client-certificate-data: %s
      client-key-data: %s
contexts:
  - name: kubecluster
    context: {cluster: kubecluster, user: %s}
current-context: kubecluster
`, server, ca, user, cert, key, user)
	return os.WriteFile(path, []byte(config), 0o600)
}
