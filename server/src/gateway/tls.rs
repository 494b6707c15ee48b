//! TLS to upstreams, with rustls: certificates always verified, SNI from the endpoint's host,
//! trust from the operating system's store (so `SSL_CERT_FILE` / `SSL_CERT_DIR` work as they do
//! for curl), plus an API version's own CA certificates when its publisher gives some.

use std::sync::Arc;

use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;
use rustls::{ClientConfig, RootCertStore};
use sha2::{Digest, Sha256};

/// Why a TLS handshake with an upstream failed, in words a consumer can act on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TlsFailure {
    NotValidForName,
    UnknownIssuer,
    Expired,
    Handshake,
}

impl TlsFailure {
    pub fn message(self) -> &'static str {
        match self {
            Self::NotValidForName => {
                "The upstream's TLS certificate is not valid for its host name."
            }
            Self::UnknownIssuer => {
                "The upstream's TLS certificate is signed by an unknown issuer: add the CA certificate to the API's implementation."
            }
            Self::Expired => "The upstream's TLS certificate has expired or is not yet valid.",
            Self::Handshake => "The TLS handshake with the upstream failed.",
        }
    }

    /// Finds a TLS failure in an error's chain of causes.
    pub fn find(error: &(dyn std::error::Error + 'static)) -> Option<TlsFailure> {
        super::connect::cause::<rustls::Error>(error).map(Self::of)
    }

    fn of(error: &rustls::Error) -> TlsFailure {
        use rustls::CertificateError as C;
        match error {
            rustls::Error::InvalidCertificate(c) => match c {
                C::NotValidForName | C::NotValidForNameContext { .. } => Self::NotValidForName,
                C::UnknownIssuer => Self::UnknownIssuer,
                C::Expired
                | C::ExpiredContext { .. }
                | C::NotValidYet
                | C::NotValidYetContext { .. } => Self::Expired,
                _ => Self::Handshake,
            },
            _ => Self::Handshake,
        }
    }
}

/// The certificates in a PEM text; an error names what is wrong with it.
pub fn parse_ca_pem(pem: &str) -> Result<Vec<CertificateDer<'static>>, String> {
    let certs = CertificateDer::pem_slice_iter(pem.as_bytes())
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| format!("not valid PEM: {e}"))?;
    if certs.is_empty() {
        return Err("no -----BEGIN CERTIFICATE----- block found".to_string());
    }
    let mut roots = RootCertStore::empty();
    for cert in &certs {
        roots
            .add(cert.clone())
            .map_err(|e| format!("not a usable CA certificate: {e}"))?;
    }
    Ok(certs)
}

/// The trust every upstream connection starts from.
#[derive(Clone)]
pub struct Trust {
    system: Arc<RootCertStore>,
    base: Arc<ClientConfig>,
}

/// An API version's own trust: the system's plus its CA certificates, and a digest of those
/// certificates that names the connection pool built for them.
pub struct CustomTrust {
    pub id: [u8; 32],
    pub config: Arc<ClientConfig>,
}

impl Trust {
    /// Loads the operating system's certificates (`SSL_CERT_FILE` / `SSL_CERT_DIR` honoured).
    /// Certificates that fail to load are logged and skipped, as curl does.
    pub fn from_system() -> anyhow::Result<Trust> {
        let loaded = rustls_native_certs::load_native_certs();
        for e in &loaded.errors {
            tracing::warn!(error = %e, "some system CA certificates could not be loaded");
        }
        let mut roots = RootCertStore::empty();
        let (added, ignored) = roots.add_parsable_certificates(loaded.certs);
        if added == 0 {
            tracing::warn!(
                "no system CA certificates found: HTTPS upstreams will need their own CA certificate"
            );
        }
        tracing::debug!(added, ignored, "system CA certificates loaded");
        Self::of(roots)
    }

    /// No system certificates: for tests that must trust only what they are given.
    pub fn empty() -> anyhow::Result<Trust> {
        Self::of(RootCertStore::empty())
    }

    fn of(roots: RootCertStore) -> anyhow::Result<Trust> {
        Ok(Trust {
            base: Arc::new(client_config(roots.clone())?),
            system: Arc::new(roots),
        })
    }

    /// The TLS settings of upstreams without their own CA.
    pub fn config(&self) -> Arc<ClientConfig> {
        Arc::clone(&self.base)
    }

    /// The system's trust plus the CA certificates in `pem`.
    pub fn with_ca(&self, pem: &str) -> Result<CustomTrust, String> {
        let certs = parse_ca_pem(pem)?;
        let mut roots = RootCertStore::clone(&self.system);
        let mut digest = Sha256::new();
        for cert in certs {
            digest.update(cert.as_ref());
            roots.add(cert).map_err(|e| e.to_string())?;
        }
        Ok(CustomTrust {
            id: digest.finalize().into(),
            config: Arc::new(client_config(roots).map_err(|e| e.to_string())?),
        })
    }
}

/// HTTP/1.1 over TLS 1.2 or 1.3 with rustls' ring provider (no OpenSSL, no C toolchain needs).
fn client_config(roots: RootCertStore) -> Result<ClientConfig, rustls::Error> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    // ALPN stays empty here: hyper-rustls sets it from the HTTP versions it enables.
    Ok(ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_root_certificates(roots)
        .with_no_client_auth())
}
