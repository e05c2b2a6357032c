package e2e

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The shipped nginx site passes `nginx -t` (with a certificate made here)
// and keeps its promises: TLS, no access log for the PI links, and an
// upload limit equal to serve's --max-upload default and to the example
// config's max-upload.
func TestNginxSite(t *testing.T) {
	need(t, "nginx")
	root := repoRoot(t)
	site, err := os.ReadFile(filepath.Join(root, "dist/nginx/openchargeback.conf"))
	if err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	cert, key := selfSigned(t, tmp)
	conf := strings.NewReplacer(
		"/etc/ssl/certs/billing.example.edu.pem", cert,
		"/etc/ssl/private/billing.example.edu.key", key,
	).Replace(string(site))
	if conf == string(site) {
		t.Fatal("the site names no certificate to replace")
	}
	os.WriteFile(filepath.Join(tmp, "site.conf"), []byte(conf), 0o644)
	// A main config of our own: nginx -t opens the pid and log files, which
	// must not be the machine's.
	main := `pid ` + tmp + `/nginx.pid;
error_log ` + tmp + `/error.log;
events {}
http {
    access_log ` + tmp + `/access.log;
    client_body_temp_path ` + tmp + `/body;
    proxy_temp_path ` + tmp + `/proxy;
    fastcgi_temp_path ` + tmp + `/fastcgi;
    uwsgi_temp_path ` + tmp + `/uwsgi;
    scgi_temp_path ` + tmp + `/scgi;
    include ` + tmp + `/site.conf;
}
`
	os.WriteFile(filepath.Join(tmp, "nginx.conf"), []byte(main), 0o644)
	out, err := exec.Command("nginx", "-t", "-p", tmp, "-e", filepath.Join(tmp, "error.log"), "-c", filepath.Join(tmp, "nginx.conf")).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "test is successful") {
		t.Fatalf("nginx -t: %v\n%s", err, out)
	}

	s := string(site)
	for _, want := range []*regexp.Regexp{
		regexp.MustCompile(`listen 443 ssl`),
		regexp.MustCompile(`return 301 https://`),
		regexp.MustCompile(`(?s)location /pi/ \{[^}]*access_log off;`),
		regexp.MustCompile(`proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;`),
		regexp.MustCompile(`proxy_set_header X-Forwarded-Proto \$scheme;`),
		regexp.MustCompile(`server 127\.0\.0\.1:8080;`),
	} {
		if !want.MatchString(s) {
			t.Errorf("the site lacks %s", want)
		}
	}
	m := regexp.MustCompile(`(?m)^\s*client_max_body_size (\d+)m;`).FindStringSubmatch(s)
	if m == nil {
		t.Fatal("no client_max_body_size in MiB")
	}
	mib, _ := strconv.Atoi(m[1])
	serve := exec.Command(filepath.Join(binDir, "focus-statement"), "serve", "--users", "x", "--print-config")
	// Only PATH from the environment: no FOCUS_MAX_UPLOAD of the developer's.
	serve.Env = []string{"FOCUS_CONFIG=" + os.DevNull, "PATH=" + os.Getenv("PATH")}
	pc, err := serve.Output()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(pc), "max-upload: "+m[1]+"MiB # default") {
		t.Errorf("client_max_body_size %dm is not serve's --max-upload default:\n%s", mib, pc)
	}
	cfg, _ := os.ReadFile(filepath.Join(root, "dist/config.example.yaml"))
	if !regexp.MustCompile(`(?m)^max-upload: ` + m[1] + `MiB$`).Match(cfg) {
		t.Errorf("the example config's max-upload is not %sMiB", m[1])
	}
	for _, k := range []string{"secure-cookies: true", "trusted-proxy: [127.0.0.1]", "addr: 127.0.0.1:8080"} {
		if !strings.Contains(string(cfg), "\n"+k+"\n") {
			t.Errorf("the example config lacks %q, which the nginx site needs", k)
		}
	}
}

// selfSigned writes a throwaway certificate and key for the site's
// ssl_certificate lines.
func selfSigned(t *testing.T, dir string) (cert, key string) {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "billing.example.edu"},
		DNSNames:     []string{"billing.example.edu"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &k.PublicKey, k)
	if err != nil {
		t.Fatal(err)
	}
	kb, err := x509.MarshalECPrivateKey(k)
	if err != nil {
		t.Fatal(err)
	}
	cert, key = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	os.WriteFile(cert, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644)
	os.WriteFile(key, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb}), 0o600)
	return cert, key
}
