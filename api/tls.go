package api

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
)

// TLSFiles are the files of dockerd's --tlsverify: the CA that signs the
// clients' certificates, and the server's own certificate and key.
type TLSFiles struct {
	CA, Cert, Key string
}

// ServerTLS is the TLS configuration of a TCP service: TLS 1.2 or later,
// and a client certificate signed by the CA required on every connection
// (a TCP socket without it would give root on this machine to anyone who
// can reach the port).
func ServerTLS(f TLSFiles) (*tls.Config, error) {
	if f.CA == "" || f.Cert == "" || f.Key == "" {
		return nil, errors.New("serving on TCP needs --tlsverify with --tlscacert, --tlscert and --tlskey")
	}
	cert, err := tls.LoadX509KeyPair(f.Cert, f.Key)
	if err != nil {
		return nil, fmt.Errorf("load TLS certificate %s and key %s: %w", f.Cert, f.Key, err)
	}
	pem, err := os.ReadFile(f.CA)
	if err != nil {
		return nil, fmt.Errorf("read TLS CA certificate: %w", err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("read TLS CA certificate %s: no PEM certificate in it", f.CA)
	}
	return &tls.Config{
		MinVersion:   tls.VersionTLS12,
		Certificates: []tls.Certificate{cert},
		ClientCAs:    pool,
		ClientAuth:   tls.RequireAndVerifyClientCert,
	}, nil
}
