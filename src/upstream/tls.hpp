// TLS for upstream connections: one verifying client context per Client, and the per-connection
// settings (SNI, host name / IP address check) that make verification mean something.
#pragma once

#include <memory>
#include <string>

#include <boost/asio/ssl/context.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

namespace sy::upstream {

using TlsStream = boost::beast::ssl_stream<boost::beast::tcp_stream>;

// A context that verifies peers against `ca_file` (PEM bundle) or, if empty, the system's default
// store; TLS 1.2 or newer. nullptr with `error` set if the CA file cannot be loaded.
std::shared_ptr<boost::asio::ssl::context> make_client_tls_context(const std::string& ca_file,
                                                                   std::string& error);

// Sets SNI (for names, not IP literals) and makes OpenSSL check that the certificate is for
// `host` (DNS name or IP address). Returns an error text, empty on success.
std::string prepare_client_tls(TlsStream& stream, const std::string& host);

// A readable reason for a failed handshake, naming the verification error if that was the cause.
std::string describe_tls_failure(TlsStream& stream, const boost::system::error_code& ec);

}  // namespace sy::upstream
