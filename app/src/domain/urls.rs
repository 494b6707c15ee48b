//! Upstream endpoints and the managed gateway addresses.

use super::FieldError;

/// An upstream endpoint must be an absolute http(s) URL with a host.
pub fn validate_endpoint(field: &str, endpoint: &str) -> Result<(), FieldError> {
    let endpoint = endpoint.trim();
    if endpoint.is_empty() {
        return Err(FieldError::new(
            field,
            "Enter the URL of the upstream service.",
        ));
    }
    let parsed = url::Url::parse(endpoint).map_err(|_| {
        FieldError::new(
            field,
            "Enter an absolute URL such as https://api.example.com/v1.",
        )
    })?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(FieldError::new(
            field,
            "The endpoint must start with http:// or https://.",
        ));
    }
    if parsed.host_str().is_none_or(str::is_empty) {
        return Err(FieldError::new(field, "The endpoint needs a host name."));
    }
    Ok(())
}

/// Largest "trusted CA certificate" text an API version may hold: room for a chain of a few
/// dozen certificates.
pub const MAX_CA_PEM_BYTES: usize = 64 * 1024;

const PEM_HINT: &str = "Paste CA certificates in PEM form, each from -----BEGIN CERTIFICATE----- to -----END CERTIFICATE-----.";

/// An API version's optional trusted CA certificates for an HTTPS upstream: empty, or PEM
/// CERTIFICATE blocks and nothing secret. The server also checks that each block is an X.509
/// certificate (the browser bundle carries no certificate parser).
pub fn validate_ca_pem(field: &str, pem: &str) -> Result<(), FieldError> {
    let pem = pem.trim();
    if pem.is_empty() {
        return Ok(());
    }
    if pem.len() > MAX_CA_PEM_BYTES {
        return Err(FieldError::new(
            field,
            format!("At most {} KB of certificates.", MAX_CA_PEM_BYTES / 1024),
        ));
    }
    if pem.contains("PRIVATE KEY") {
        return Err(FieldError::new(
            field,
            "This is a private key: paste the CA's certificate, never a key.",
        ));
    }
    use rustls_pki_types::CertificateDer;
    use rustls_pki_types::pem::PemObject;
    let certs: Vec<CertificateDer<'_>> = CertificateDer::pem_slice_iter(pem.as_bytes())
        .collect::<Result<_, _>>()
        .map_err(|_| FieldError::new(field, PEM_HINT))?;
    if certs.is_empty() {
        return Err(FieldError::new(field, PEM_HINT));
    }
    #[cfg(feature = "ssr")]
    for (n, cert) in certs.iter().enumerate() {
        if webpki::anchor_from_trusted_cert(cert).is_err() {
            return Err(FieldError::new(
                field,
                format!("Certificate {} is not a valid X.509 certificate.", n + 1),
            ));
        }
    }
    Ok(())
}

/// The path under which the gateway serves an API version.
pub fn gateway_path(org: &str, api: &str, version: &str) -> String {
    format!("/gateway/{org}/{api}/{version}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_must_be_absolute_http_urls() {
        assert!(validate_endpoint("e", "https://api.example.com/v1").is_ok());
        assert!(validate_endpoint("e", "http://127.0.0.1:3000/echo").is_ok());
        for bad in [
            "",
            "api.example.com",
            "/relative",
            "ftp://x.example",
            "http://",
        ] {
            assert!(validate_endpoint("e", bad).is_err(), "{bad}");
        }
        assert!(
            validate_endpoint("e", "ftp://x.example")
                .unwrap_err()
                .message
                .contains("http://")
        );
    }

    #[test]
    fn ca_certificates_must_be_pem_certificates_and_nothing_secret() {
        assert!(validate_ca_pem("ca", "").is_ok());
        assert!(validate_ca_pem("ca", "  \n").is_ok());
        let key = "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----";
        assert!(
            validate_ca_pem("ca", key)
                .unwrap_err()
                .message
                .contains("private key")
        );
        for bad in [
            "not a certificate",
            "-----BEGIN CERTIFICATE-----\n!!!\n-----END CERTIFICATE-----",
            "-----BEGIN CERTIFICATE-----\nAAAA",
        ] {
            let e = validate_ca_pem("ca", bad).expect_err(bad);
            assert_eq!(e.field, "ca");
        }
        let huge = "A".repeat(MAX_CA_PEM_BYTES + 1);
        assert!(
            validate_ca_pem("ca", &huge)
                .unwrap_err()
                .message
                .contains("64 KB")
        );
    }

    #[cfg(feature = "ssr")]
    #[test]
    fn the_server_checks_each_block_is_a_certificate() {
        // Valid PEM and base64, but the DER inside is not a certificate.
        let junk = "-----BEGIN CERTIFICATE-----\nMAMCAQE=\n-----END CERTIFICATE-----";
        assert!(
            validate_ca_pem("ca", junk)
                .unwrap_err()
                .message
                .contains("Certificate 1")
        );
    }

    #[test]
    fn gateway_paths() {
        assert_eq!(
            gateway_path("STRINGER", "PrivateEchoAPI", "1.0"),
            "/gateway/STRINGER/PrivateEchoAPI/1.0"
        );
    }
}
