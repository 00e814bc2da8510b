// Command bcmlp-cc serves bcmlp's two contracts, registry and provenance, as one
// chaincode running as an external service (chaincode-as-a-service): the peer
// connects to it, so it needs no Docker and no peer address of its own.
//
// Configuration, all from the environment:
//
//	CHAINCODE_SERVER_ADDRESS        host:port to listen on (required)
//	CORE_CHAINCODE_ID_NAME          the package id the peer installed (required)
//	CHAINCODE_TLS_KEY_FILE          PEM private key of the server's TLS certificate (required)
//	CHAINCODE_TLS_CERT_FILE         PEM TLS certificate for that key (required)
//	CHAINCODE_CLIENT_CA_CERT_FILE   PEM CA certificates (optional); when set, a client must present a
//	                                certificate they issued, so only the consortium's peers can connect;
//	                                unset, any client that reaches the address may open a session
//
// The server refuses to start without TLS: the peer's connection carries every
// proposal and every state read and write of the ledger, and in clear anyone on
// the path could read them or pose as the chaincode.
package main

import (
	"fmt"
	"log"
	"os"
	"strings"

	"github.com/hyperledger/fabric-chaincode-go/v2/shim"
	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"

	"bcmlp.local/chaincode/provenance"
	"bcmlp.local/chaincode/registry"
)

// Environment variables read by serverFromEnv.
const (
	envAddress     = "CHAINCODE_SERVER_ADDRESS"
	envChaincodeID = "CORE_CHAINCODE_ID_NAME"
	envTLSKey      = "CHAINCODE_TLS_KEY_FILE"
	envTLSCert     = "CHAINCODE_TLS_CERT_FILE"
	envClientCA    = "CHAINCODE_CLIENT_CA_CERT_FILE"
)

func main() {
	if err := run(os.Getenv, os.ReadFile); err != nil {
		log.Fatalf("bcmlp-cc: %v", err)
	}
}

// run builds the chaincode and serves it until the server stops.
func run(getenv func(string) string, readFile func(string) ([]byte, error)) error {
	cc, err := newChaincode()
	if err != nil {
		return err
	}
	server, err := serverFromEnv(getenv, readFile)
	if err != nil {
		return err
	}
	server.CC = cc
	tls := "on"
	if server.TLSProps.ClientCACerts != nil {
		tls = "on, client certificates required"
	}
	log.Printf("bcmlp-cc: serving %s and %s as %s on %s (TLS %s)",
		registry.ContractName, provenance.ContractName, server.CCID, server.Address, tls)
	if err := server.Start(); err != nil {
		return fmt.Errorf("serving on %s: %w", server.Address, err)
	}
	return nil
}

// newChaincode returns the chaincode serving both contracts, registry first so
// that it is the default for calls without a "contract:" prefix.
func newChaincode() (*contractapi.ContractChaincode, error) {
	cc, err := contractapi.NewChaincode(registry.NewContract(), provenance.NewContract())
	if err != nil {
		return nil, fmt.Errorf("building the chaincode from its contracts: %w", err)
	}
	return cc, nil
}

// serverFromEnv returns the chaincode server described by the environment,
// without a chaincode set.
func serverFromEnv(getenv func(string) string, readFile func(string) ([]byte, error)) (*shim.ChaincodeServer, error) {
	required := []struct{ variable, what string }{
		{envAddress, "the host:port to listen on, e.g. 127.0.0.1:9999"},
		{envChaincodeID, "the package id printed by 'peer lifecycle chaincode install'"},
		{envTLSKey, "the PEM private key of the server's TLS certificate"},
		{envTLSCert, "the PEM TLS certificate for that key"},
	}
	var missing []string
	for _, r := range required {
		if getenv(r.variable) == "" {
			missing = append(missing, r.variable+" ("+r.what+")")
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("this chaincode runs only as a TLS service the peer connects to: set %s; optionally set %s to require client certificates",
			strings.Join(missing, ", "), envClientCA)
	}
	address, ccid := getenv(envAddress), getenv(envChaincodeID)

	// read returns the file a variable names; nil when an optional variable is unset.
	read := func(variable string, optional bool) ([]byte, error) {
		path := getenv(variable)
		if path == "" {
			return nil, nil
		}
		fix := "point it at a readable PEM file"
		if optional {
			fix += " or unset it"
		}
		data, err := readFile(path)
		if err != nil {
			return nil, fmt.Errorf("%s=%s cannot be read: %w; %s", variable, path, err, fix)
		}
		if len(data) == 0 {
			return nil, fmt.Errorf("%s=%s is empty: %s", variable, path, fix)
		}
		return data, nil
	}
	key, err := read(envTLSKey, false)
	if err != nil {
		return nil, err
	}
	cert, err := read(envTLSCert, false)
	if err != nil {
		return nil, err
	}
	clientCA, err := read(envClientCA, true)
	if err != nil {
		return nil, err
	}
	tls := shim.TLSProperties{Key: key, Cert: cert, ClientCACerts: clientCA}
	return &shim.ChaincodeServer{CCID: ccid, Address: address, TLSProps: tls}, nil
}
