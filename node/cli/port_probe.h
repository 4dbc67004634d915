// Port probing: is a loopback port free to bind right now?
//
// `parley fleet up` checks every port it is about to hand out first, so a
// clash ("8080 is taken by another program") is reported up front with the
// port and its purpose instead of as a node that dies during start-up.
// Tests use it to pick a free base port.
#pragma once

#include <string>

namespace parley::cli {

// True if a TCP (or, with `udp`, UDP) socket can bind host:port now.
bool CanBindPort(const std::string& host, int port, bool udp);

}  // namespace parley::cli
