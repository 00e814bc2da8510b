// Command gateway-bench submits transactions through the official Fabric
// Gateway client for Go (github.com/hyperledger/fabric-gateway), the
// reference bench/clients.py measures bcmlp's Python client against: the
// same peer, identity, chaincode function and arguments, the same number of
// transactions in flight.
//
// Each transaction is endorsed, submitted and waited for until its commit
// status arrives; a transaction that fails anywhere is counted as failed. One
// JSON object goes to standard output: transactions committed and failed, the
// wall time, each committed transaction's latency from start to commit status
// (seconds), and the CPU seconds (user and system) this process used while
// submitting, set-up left out.
package main

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/hyperledger/fabric-gateway/pkg/client"
	"github.com/hyperledger/fabric-gateway/pkg/hash"
	"github.com/hyperledger/fabric-gateway/pkg/identity"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
)

type result struct {
	Committed  int       `json:"committed"`
	Failed     int       `json:"failed"`
	FirstError string    `json:"firstError"`
	Seconds    float64   `json:"seconds"`
	Latencies  []float64 `json:"latencies"`
	CPUSeconds float64   `json:"cpuSeconds"`
}

func main() {
	peer := flag.String("peer", "", "the peer's gRPC address, host:port")
	tlsRoot := flag.String("tls-root", "", "PEM file of the peer's TLS root certificate")
	identityDir := flag.String("identity", "", "identity folder: msp/signcerts, msp/keystore, tls/server.crt, tls/server.key")
	mspID := flag.String("msp", "", "the identity's MSP id")
	channel := flag.String("channel", "", "channel name")
	chaincode := flag.String("chaincode", "", "chaincode name")
	contract := flag.String("contract", "", "contract name within the chaincode (empty: the default)")
	function := flag.String("function", "", "transaction function")
	argsJSON := flag.String("args", "[]", `JSON array of string arguments; "{n}" in one is replaced by the transaction's number`)
	count := flag.Int("count", 100, "transactions to submit")
	inFlight := flag.Int("in-flight", 1, "transactions in flight at once")
	prefix := flag.String("prefix", "go", `what "{n}" starts with`)
	flag.Parse()

	var template []string
	if err := json.Unmarshal([]byte(*argsJSON), &template); err != nil {
		fail("-args is not a JSON array of strings: %v", err)
	}
	if *peer == "" || *tlsRoot == "" || *identityDir == "" || *mspID == "" || *channel == "" || *chaincode == "" || *function == "" {
		fail("-peer, -tls-root, -identity, -msp, -channel, -chaincode and -function are required")
	}
	if *count < 1 || *inFlight < 1 {
		fail("-count and -in-flight must be at least 1")
	}

	conn := connect(*peer, *tlsRoot, *identityDir)
	defer conn.Close()
	id, sign := signer(*identityDir, *mspID)
	gw, err := client.Connect(id, client.WithSign(sign), client.WithHash(hash.SHA256), client.WithClientConnection(conn),
		client.WithEvaluateTimeout(30*time.Second), client.WithEndorseTimeout(60*time.Second),
		client.WithSubmitTimeout(60*time.Second), client.WithCommitStatusTimeout(120*time.Second))
	if err != nil {
		fail("connect: %v", err)
	}
	defer gw.Close()
	network := gw.GetNetwork(*channel)
	var c *client.Contract
	if *contract == "" {
		c = network.GetContract(*chaincode)
	} else {
		c = network.GetContractWithName(*chaincode, *contract)
	}

	out := result{Latencies: make([]float64, 0, *count)}
	var mu sync.Mutex
	next := make(chan int)
	var wg sync.WaitGroup
	cpuBefore := cpuSeconds()
	started := time.Now()
	for w := 0; w < *inFlight; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := range next {
				args := make([]string, len(template))
				for i, a := range template {
					args[i] = strings.ReplaceAll(a, "{n}", fmt.Sprintf("%s-%d", *prefix, n))
				}
				t0 := time.Now()
				err := submit(c, *function, args)
				elapsed := time.Since(t0).Seconds()
				mu.Lock()
				if err != nil {
					out.Failed++
					if out.FirstError == "" {
						out.FirstError = err.Error()
					}
				} else {
					out.Committed++
					out.Latencies = append(out.Latencies, elapsed)
				}
				mu.Unlock()
			}
		}()
	}
	for n := 0; n < *count; n++ {
		next <- n
	}
	close(next)
	wg.Wait()
	out.Seconds = time.Since(started).Seconds()
	out.CPUSeconds = cpuSeconds() - cpuBefore
	if err := json.NewEncoder(os.Stdout).Encode(out); err != nil {
		fail("writing the result: %v", err)
	}
}

func submit(c *client.Contract, function string, args []string) error {
	_, commit, err := c.SubmitAsync(function, client.WithArguments(args...))
	if err != nil {
		return err
	}
	status, err := commit.Status()
	if err != nil {
		return err
	}
	if !status.Successful {
		return fmt.Errorf("transaction %s committed as %s", status.TransactionID, status.Code)
	}
	return nil
}

func connect(peer, tlsRoot, identityDir string) *grpc.ClientConn {
	root, err := os.ReadFile(tlsRoot)
	if err != nil {
		fail("%v", err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(root) {
		fail("%s holds no PEM certificate", tlsRoot)
	}
	pair, err := tls.LoadX509KeyPair(filepath.Join(identityDir, "tls", "server.crt"), filepath.Join(identityDir, "tls", "server.key"))
	if err != nil {
		fail("TLS client pair: %v", err)
	}
	creds := credentials.NewTLS(&tls.Config{RootCAs: pool, Certificates: []tls.Certificate{pair}, MinVersion: tls.VersionTLS12})
	conn, err := grpc.NewClient(peer, grpc.WithTransportCredentials(creds))
	if err != nil {
		fail("gRPC connection to %s: %v", peer, err)
	}
	return conn
}

func signer(identityDir, mspID string) (*identity.X509Identity, identity.Sign) {
	certPEM, err := os.ReadFile(filepath.Join(identityDir, "msp", "signcerts", "cert.pem"))
	if err != nil {
		fail("%v", err)
	}
	cert, err := identity.CertificateFromPEM(certPEM)
	if err != nil {
		fail("signing certificate: %v", err)
	}
	id, err := identity.NewX509Identity(mspID, cert)
	if err != nil {
		fail("identity: %v", err)
	}
	keys, err := filepath.Glob(filepath.Join(identityDir, "msp", "keystore", "*_sk"))
	if err != nil || len(keys) != 1 {
		fail("%s/msp/keystore must hold exactly one *_sk key", identityDir)
	}
	keyPEM, err := os.ReadFile(keys[0])
	if err != nil {
		fail("%v", err)
	}
	key, err := identity.PrivateKeyFromPEM(keyPEM)
	if err != nil {
		fail("signing key: %v", err)
	}
	sign, err := identity.NewPrivateKeySign(key)
	if err != nil {
		fail("signing key: %v", err)
	}
	return id, sign
}

// cpuSeconds is the user and system CPU time this process has used so far.
func cpuSeconds() float64 {
	var usage syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &usage); err != nil {
		fail("getrusage: %v", err)
	}
	return seconds(usage.Utime) + seconds(usage.Stime)
}

func seconds(t syscall.Timeval) float64 {
	return float64(t.Sec) + float64(t.Usec)/1e6
}

func fail(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "gateway-bench: "+format+"\n", args...)
	os.Exit(2)
}
