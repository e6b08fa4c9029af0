#include "harness/serve/client_connection.h"

#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <system_error>

namespace r1eval::harness::serve {
namespace {

// The numeric host and port of a socket address, as cpp-httplib prints a request's addresses.
bool numeric_address(const sockaddr_storage& address, socklen_t length, std::string& host, int& port) {
  char host_buf[NI_MAXHOST];
  char port_buf[NI_MAXSERV];
  if (::getnameinfo(reinterpret_cast<const sockaddr*>(&address), length, host_buf, sizeof host_buf, port_buf,
                    sizeof port_buf, NI_NUMERICHOST | NI_NUMERICSERV) != 0)
    return false;
  host = host_buf;
  port = std::atoi(port_buf);
  return true;
}

}  // namespace

int find_request_socket(const std::string& remote_addr, int remote_port, int local_port) {
  std::error_code error;
  for (std::filesystem::directory_iterator it("/proc/self/fd", error), end; !error && it != end; it.increment(error)) {
    char* name_end = nullptr;
    const std::string name = it->path().filename().string();
    const long fd = std::strtol(name.c_str(), &name_end, 10);
    if (name_end == name.c_str() || *name_end != '\0') continue;
    struct stat info {};
    if (::fstat(static_cast<int>(fd), &info) != 0 || !S_ISSOCK(info.st_mode)) continue;
    sockaddr_storage peer{};
    socklen_t peer_length = sizeof peer;
    if (::getpeername(static_cast<int>(fd), reinterpret_cast<sockaddr*>(&peer), &peer_length) != 0) continue;
    std::string host;
    int port = -1;
    if (!numeric_address(peer, peer_length, host, port) || host != remote_addr || port != remote_port) continue;
    if (local_port >= 0) {
      sockaddr_storage own{};
      socklen_t own_length = sizeof own;
      std::string own_host;
      int own_port = -1;
      if (::getsockname(static_cast<int>(fd), reinterpret_cast<sockaddr*>(&own), &own_length) != 0 ||
          !numeric_address(own, own_length, own_host, own_port) || own_port != local_port)
        continue;
    }
    return static_cast<int>(fd);
  }
  return -1;
}

bool peer_gone(int fd) {
  pollfd watch{fd, POLLRDHUP, 0};
  if (::poll(&watch, 1, 0) <= 0) return false;
  return (watch.revents & (POLLRDHUP | POLLHUP | POLLERR | POLLNVAL)) != 0;
}

}  // namespace r1eval::harness::serve
