// SPDX-License-Identifier: BSD-2-Clause
//
// bench/limausernet.go - Lima's user-mode network daemon (`limactl usernet`)
// reduced to its data path, for bench/run's gvisor-tap-vsock peer. Not part
// of usernetd and never built by its CMake: bench/README says how to build
// it inside a checkout of gvisor-tap-vsock with its vendored modules.
//
// Why not cmd/gvproxy alone: gvproxy hard-codes its network (subnet
// 192.168.127.0/24, host loopback at .254, DNS zones, an ssh forward), and
// Lima does not run gvproxy: it runs gvisor-tap-vsock as a library inside
// `limactl usernet`, configured by pkg/networks/usernet/gvproxy.go
// (StartGVisorNetstack). This file builds the same types.Configuration as
// that function, field by field, and accepts QEMU stream connections as its
// listenQEMU() does; Lima's HTTP control endpoint and its fd listener are
// left out (no bench traffic crosses them).
//
// Usage: limausernet -listen-qemu SOCK [-subnet 192.168.5.0/24] [-mtu 1500]
//
//	[-version]
//
// Lima's defaults: subnet 192.168.5.0/24 (cmd/limactl/usernet.go), gateway
// at subnet+2 (usernet.GatewayIP), which is also the DNS server and stands
// for host loopback (NAT gateway -> 127.0.0.1).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"os"
	"os/signal"
	"syscall"

	"github.com/containers/gvisor-tap-vsock/pkg/types"
	"github.com/containers/gvisor-tap-vsock/pkg/virtualnetwork"
	log "github.com/sirupsen/logrus"
)

// gatewayMacAddr is Lima's gateway MAC (pkg/networks/usernet/gvproxy.go).
const gatewayMacAddr = "5a:94:ef:e4:0c:dd"

// gatewayIP returns the subnet's address plus 2, as Lima's
// usernet.GatewayIP() does.
//
// @subnet: the network address of the subnet (IPv4)
//
// Return: the gateway address as a string
func gatewayIP(subnet net.IP) string {
	ip := make(net.IP, len(subnet))
	copy(ip, subnet)
	for n := 0; n < 2; n++ {
		for i := len(ip) - 1; i >= 0; i-- {
			ip[i]++
			if ip[i] != 0 {
				break
			}
		}
	}
	return ip.String()
}

// limaConfig builds the configuration Lima's StartGVisorNetstack() builds
// for a subnet and an MTU (no default leases: Lima passes none to a fresh
// network; no search domains: the bench's guests do no name lookups).
//
// @subnet: the subnet in CIDR notation
// @mtu: the MTU of the network
//
// Return: the configuration, or an error for a bad subnet
func limaConfig(subnet string, mtu int) (*types.Configuration, error) {
	ip, _, err := net.ParseCIDR(subnet)
	if err != nil {
		return nil, err
	}
	gw := gatewayIP(ip)
	return &types.Configuration{
		Debug:             false,
		MTU:               mtu,
		Subnet:            subnet,
		GatewayIP:         gw,
		GatewayMacAddress: gatewayMacAddr,
		DHCPStaticLeases:  map[string]string{gw: gatewayMacAddr},
		Forwards:          map[string]string{},
		DNS:               []types.Zone{},
		NAT:               map[string]string{gw: "127.0.0.1"},
		GatewayVirtualIPs: []string{gw},
	}, nil
}

// serveQEMU accepts QEMU stream connections on a unix socket until ctx
// ends, each served by the virtual network's switch (Lima's listenQEMU()).
//
// @ctx: ends the listener
// @vn: the virtual network
// @path: the socket's path
//
// Return: an error if the socket cannot be bound
func serveQEMU(ctx context.Context, vn *virtualnetwork.VirtualNetwork,
	path string) error {
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "unix", path)
	if err != nil {
		return err
	}
	go func() {
		<-ctx.Done()
		ln.Close()
	}()
	for {
		conn, err := ln.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return nil
			}
			log.Error("QEMU accept failed: ", err)
			continue
		}
		go func() {
			if err := vn.AcceptQemu(ctx, conn); err != nil {
				log.Error("QEMU connection closed with error: ", err)
			}
			conn.Close()
		}()
	}
}

func main() {
	sock := flag.String("listen-qemu", "", "QEMU stream socket to listen on")
	subnet := flag.String("subnet", "192.168.5.0/24", "subnet (Lima's default)")
	mtu := flag.Int("mtu", 1500, "MTU")
	version := flag.Bool("version", false, "print the version and exit")
	flag.Parse()
	if *version {
		fmt.Println("limausernet (Lima's usernet configuration of gvisor-tap-vsock)")
		return
	}
	if *sock == "" {
		fmt.Fprintln(os.Stderr, "limausernet: -listen-qemu SOCK is required")
		os.Exit(2)
	}
	cfg, err := limaConfig(*subnet, *mtu)
	if err != nil {
		log.Fatal(err)
	}
	vn, err := virtualnetwork.New(cfg)
	if err != nil {
		log.Fatal(err)
	}
	os.Remove(*sock)
	ctx, cancel := signal.NotifyContext(context.Background(), os.Interrupt,
		syscall.SIGTERM)
	defer cancel()
	if err := serveQEMU(ctx, vn, *sock); err != nil {
		log.Fatal(err)
	}
}
