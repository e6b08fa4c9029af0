// The accepted socket of an HTTP request, to notice a non-streaming client that went away while its request
// generates: cpp-httplib (0.11) hands a handler no socket, so it is found by the request's addresses.
#pragma once
#include <string>

namespace r1eval::harness::serve {

// The descriptor of this process's connected socket whose peer is remote_addr:remote_port (numeric, as
// cpp-httplib writes them) and, when local_port >= 0, whose own port is local_port; -1 when none is found (or
// /proc/self/fd cannot be read). Owned by the server: never close it.
int find_request_socket(const std::string& remote_addr, int remote_port, int local_port);

// True when the peer of connected socket `fd` has closed its side (EOF), hung up or reset the connection.
// Data waiting to be read (a pipelined request) is not a close. Does not block.
bool peer_gone(int fd);

}  // namespace r1eval::harness::serve
