// An in-process `r1eval serve` (engine thread + HTTP server) on a loopback ephemeral port, for tests.
#pragma once
#include <filesystem>
#include <string>

#include "harness/serve/engine_service.h"
#include "harness/serve/http_server.h"

namespace r1eval::harness::testing {

struct ServeFixture {
  serve::EngineService service;
  serve::HttpServer server;
  int port = 0;

  // A small cache keeps start-up fast and still holds every sample of these tests at once.
  static serve::EngineServiceOptions small_cache(std::size_t max_in_flight = 256) {
    serve::EngineServiceOptions o;
    o.backend.kv_cache_bytes = 16ull << 20;
    o.max_in_flight = max_in_flight;
    return o;
  }

  explicit ServeFixture(const std::filesystem::path& model, serve::EngineServiceOptions engine = small_cache(),
                        std::size_t handler_threads = 16)
      : service(model, engine), server(service, {"tiny", handler_threads, {}}) {
    port = server.start("127.0.0.1", 0);
  }
  ~ServeFixture() {
    service.shutdown();
    server.stop();
  }
  std::string base_url() const { return "http://127.0.0.1:" + std::to_string(port) + "/v1"; }
};

}  // namespace r1eval::harness::testing
