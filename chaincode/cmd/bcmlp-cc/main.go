// Command bcmlp-cc serves bcmlp's two contracts, registry and provenance, as one
// chaincode running as an external service (chaincode-as-a-service): the peer
// connects to it, so it needs no Docker and no peer address of its own.
//
// Configuration, all from the environment:
//
//	CHAINCODE_SERVER_ADDRESS        host:port to listen on (required)
//	CORE_CHAINCODE_ID_NAME          the package id the peer installed (required)
//	CHAINCODE_TLS_KEY_FILE          PEM private key; with the certificate, turns TLS on
//	CHAINCODE_TLS_CERT_FILE         PEM certificate for that key
//	CHAINCODE_CLIENT_CA_CERT_FILE   PEM CA certificates; when set, peers must present a client certificate
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
	tls := "off"
	if !server.TLSProps.Disabled {
		tls = "on"
		if server.TLSProps.ClientCACerts != nil {
			tls = "on, client certificates required"
		}
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
	address := getenv(envAddress)
	ccid := getenv(envChaincodeID)
	if address == "" || ccid == "" {
		var missing []string
		if address == "" {
			missing = append(missing, envAddress+" (the host:port to listen on, e.g. 127.0.0.1:9999)")
		}
		if ccid == "" {
			missing = append(missing, envChaincodeID+" (the package id printed by 'peer lifecycle chaincode install')")
		}
		return nil, fmt.Errorf("this chaincode runs only as a service the peer connects to: set %s; for TLS also set %s and %s, and %s to require client certificates",
			strings.Join(missing, " and "), envTLSKey, envTLSCert, envClientCA)
	}

	read := func(variable string) ([]byte, error) {
		path := getenv(variable)
		if path == "" {
			return nil, nil
		}
		data, err := readFile(path)
		if err != nil {
			return nil, fmt.Errorf("%s=%s cannot be read: %w; point it at a readable PEM file or unset it", variable, path, err)
		}
		if len(data) == 0 {
			return nil, fmt.Errorf("%s=%s is empty: point it at a PEM file or unset it", variable, path)
		}
		return data, nil
	}
	key, err := read(envTLSKey)
	if err != nil {
		return nil, err
	}
	cert, err := read(envTLSCert)
	if err != nil {
		return nil, err
	}
	clientCA, err := read(envClientCA)
	if err != nil {
		return nil, err
	}

	tls := shim.TLSProperties{Disabled: true}
	switch {
	case key != nil && cert != nil:
		tls = shim.TLSProperties{Key: key, Cert: cert, ClientCACerts: clientCA}
	case key != nil:
		return nil, fmt.Errorf("%s is set but %s is not: TLS needs both the key and its certificate", envTLSKey, envTLSCert)
	case cert != nil:
		return nil, fmt.Errorf("%s is set but %s is not: TLS needs both the key and its certificate", envTLSCert, envTLSKey)
	case clientCA != nil:
		return nil, fmt.Errorf("%s is set but TLS is off: also set %s and %s, or unset it", envClientCA, envTLSKey, envTLSCert)
	}
	return &shim.ChaincodeServer{CCID: ccid, Address: address, TLSProps: tls}, nil
}
