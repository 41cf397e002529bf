package netpolicy

import (
	"net"
	"net/netip"
	"sync"
	"time"
)

// ownTTL is how long the host's address list is trusted: an interface can
// gain an address (DHCP, a cloud's secondary IP) while the worker runs.
const ownTTL = 5 * time.Second

// hostAddrs is the host's interface addresses, refused like loopback: a
// public address of the worker reaches its services as well as 127.0.0.1.
type hostAddrs struct {
	lookup func() ([]net.Addr, error)

	mu      sync.Mutex
	addrs   map[netip.Addr]bool
	fetched time.Time
}

var own = &hostAddrs{lookup: net.InterfaceAddrs}

func (h *hostAddrs) contains(ip netip.Addr) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if time.Since(h.fetched) > ownTTL {
		h.refresh()
	}
	return h.addrs[ip]
}

// refresh reads the interfaces again; on failure the previous list stays
// (the table still refuses every non-public range).
func (h *hostAddrs) refresh() {
	list, err := h.lookup()
	if err != nil {
		return
	}
	addrs := make(map[netip.Addr]bool, len(list))
	for _, a := range list {
		if p, err := netip.ParsePrefix(a.String()); err == nil {
			addrs[p.Addr().Unmap().WithZone("")] = true
		}
	}
	h.addrs, h.fetched = addrs, time.Now()
}
