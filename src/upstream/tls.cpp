#include "upstream/tls.hpp"

#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <boost/asio/ip/address.hpp>

namespace sy::upstream {
namespace ssl = boost::asio::ssl;

std::shared_ptr<ssl::context> make_client_tls_context(const std::string& ca_file,
                                                      std::string& error) {
  auto ctx = std::make_shared<ssl::context>(ssl::context::tls_client);
  boost::system::error_code ec;
  if (ca_file.empty()) {
    ctx->set_default_verify_paths(ec);
  } else {
    ctx->load_verify_file(ca_file, ec);
  }
  if (ec) {
    error = ca_file.empty() ? "cannot load the system CA store: " + ec.message()
                            : "cannot load CA file '" + ca_file + "': " + ec.message();
    return nullptr;
  }
  ctx->set_verify_mode(ssl::verify_peer);
  SSL_CTX_set_min_proto_version(ctx->native_handle(), TLS1_2_VERSION);
  return ctx;
}

std::string prepare_client_tls(TlsStream& stream, const std::string& host) {
  SSL* ssl_handle = stream.native_handle();
  X509_VERIFY_PARAM* param = SSL_get0_param(ssl_handle);
  boost::system::error_code ec;
  boost::asio::ip::make_address(host, ec);
  if (!ec) {
    // IP literal: no SNI (RFC 6066 forbids it); the certificate must carry the address.
    if (X509_VERIFY_PARAM_set1_ip_asc(param, host.c_str()) != 1) return "bad IP address for TLS";
    return {};
  }
  if (SSL_set_tlsext_host_name(ssl_handle, host.c_str()) != 1) return "cannot set TLS SNI";
  X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
  if (X509_VERIFY_PARAM_set1_host(param, host.c_str(), host.size()) != 1)
    return "cannot set TLS host name check";
  return {};
}

std::string describe_tls_failure(TlsStream& stream, const boost::system::error_code& ec) {
  long verify = SSL_get_verify_result(stream.native_handle());
  if (verify != X509_V_OK)
    return std::string("TLS certificate verification failed: ") +
           X509_verify_cert_error_string(verify);
  return "TLS handshake failed: " + ec.message();
}

}  // namespace sy::upstream
