//! Connecting to PostgreSQL: the connection string, TLS, a timeout, and
//! errors that say in one sentence what failed, never with the password.
//!
//! The connection string is libpq's, as a `key=value` list or a
//! `postgresql://` URL. `sslmode` follows libpq: `disable` never encrypts,
//! `prefer` (the default) encrypts when the server offers it, `require`
//! insists on TLS; like libpq, these two do not verify the server's
//! certificate. `verify-ca` and `verify-full` require TLS and verify the
//! certificate against the Mozilla roots (webpki-roots), as hosted servers
//! such as Neon expect.

use std::sync::Arc;
use std::time::Duration;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme};
use tokio_postgres::config::{Host, SslMode};
use tokio_postgres::error::SqlState;
use tokio_postgres::{CancelToken, Client, Config, NoTls};
use tokio_postgres_rustls::MakeRustlsConnect;

use super::error::DbError;
use super::session::{self, Kind, Session};

/// How long to wait for a server before giving up, unless told otherwise.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// The environment variable read when no `--url` is given.
pub const URL_VARIABLE: &str = "DATABASE_URL";

/// A connection failure, as one sentence without the password.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ConnectError(pub String);

/// A parsed connection string: where to connect and how.
#[derive(Clone)]
pub struct Target {
    config: Config,
    /// Verify the server certificate (`sslmode=verify-ca|verify-full`).
    verify: bool,
    /// The password, kept only to scrub it from any message.
    secret: Option<String>,
    /// `--lock-timeout`, when given (zero for none); see
    /// [`super::session`] for what applies otherwise.
    lock_timeout: Option<Duration>,
}

/// The environment variable libpq reads server options from when the
/// connection string gives none (`-c lock_timeout=2s`).
pub const OPTIONS_VARIABLE: &str = "PGOPTIONS";

/// The connection string from `--url`, else from `DATABASE_URL`.
pub fn url_from(arg: Option<&str>) -> Result<String, ConnectError> {
    match arg {
        Some(url) => Ok(url.to_owned()),
        None => std::env::var(URL_VARIABLE).map_err(|_| {
            ConnectError(format!(
                "no database given: pass --url or set {URL_VARIABLE}"
            ))
        }),
    }
}

impl Target {
    /// Reads a libpq connection string (`key=value` or `postgresql://`).
    pub fn parse(url: &str) -> Result<Target, ConnectError> {
        let verify = ["sslmode=verify-full", "sslmode=verify-ca"]
            .iter()
            .any(|m| url.contains(m));
        let plain = url
            .replace("sslmode=verify-full", "sslmode=require")
            .replace("sslmode=verify-ca", "sslmode=require");
        match plain.parse::<Config>() {
            Ok(config) => {
                let secret = config
                    .get_password()
                    .map(|p| String::from_utf8_lossy(p).into_owned());
                Ok(Target {
                    config,
                    verify,
                    secret,
                    lock_timeout: None,
                })
            }
            Err(e) => Err(ConnectError(scrub(
                format!("the connection string could not be read: {e}"),
                guess_password(url).as_deref(),
            ))),
        }
    }

    /// Where this connects, for messages: `user@host:port/dbname`.
    pub fn describe(&self) -> String {
        let user = self.config.get_user().unwrap_or("(default user)");
        format!("{user}@{}:{}/{}", self.host(), self.port(), self.dbname())
    }

    /// The name of a design read from `schema` here: the database's name,
    /// qualified by the schema unless it is `public`.
    pub fn design_name(&self, schema: &str) -> String {
        if schema == "public" {
            self.dbname()
        } else {
            format!("{}.{schema}", self.dbname())
        }
    }

    fn host(&self) -> String {
        match self.config.get_hosts().first() {
            Some(Host::Tcp(h)) => h.clone(),
            #[cfg(unix)]
            Some(Host::Unix(path)) => path.display().to_string(),
            None => "localhost".into(),
        }
    }

    fn port(&self) -> u16 {
        self.config.get_ports().first().copied().unwrap_or(5432)
    }

    /// The database this connects to (libpq defaults it to the user name).
    pub fn dbname(&self) -> String {
        self.config
            .get_dbname()
            .or(self.config.get_user())
            .unwrap_or("postgres")
            .to_owned()
    }

    /// Whether the connection will insist on TLS.
    pub fn requires_tls(&self) -> bool {
        self.config.get_ssl_mode() == SslMode::Require
    }

    /// The same place, with statements waiting at most `timeout` for a
    /// lock (zero: as long as it takes), whatever the connection's
    /// options say.
    pub fn with_lock_timeout(mut self, timeout: Option<Duration>) -> Target {
        self.lock_timeout = timeout;
        self
    }

    /// Connects for plinth's own work, giving up after `timeout`; the
    /// connection is driven by a task on the current tokio runtime.
    pub async fn connect(&self, timeout: Duration) -> Result<Client, ConnectError> {
        self.open(Kind::Own, timeout).await.map(|s| s.client)
    }

    /// Connects and sets up the session for `kind` of work (see
    /// [`super::session`]), giving up after `timeout`.
    pub async fn open(&self, kind: Kind, timeout: Duration) -> Result<Session, ConnectError> {
        let client = self.connect_raw(timeout).await?;
        match session::prepare(&client, kind, self.lock_timeout).await {
            Ok((pid, lock_timeout)) => Ok(Session {
                client,
                pid,
                lock_timeout,
            }),
            Err(e) => Err(ConnectError(self.scrub(format!(
                "connected to {}, but could not set up the session: {}",
                self.describe(),
                DbError::of(&e)
            )))),
        }
    }

    /// Asks the server to cancel what the session of `token` is running
    /// (what `pg_cancel_backend` does), over a connection of its own.
    pub async fn cancel(&self, token: &CancelToken) -> Result<(), ConnectError> {
        let sent = if self.config.get_ssl_mode() == SslMode::Disable {
            token.cancel_query(NoTls).await
        } else {
            token
                .cancel_query(MakeRustlsConnect::new(tls_config(self.verify)))
                .await
        };
        sent.map_err(|e| {
            ConnectError(self.scrub(format!(
                "could not send the cancel request to {}: {}",
                self.describe(),
                DbError::of(&e)
            )))
        })
    }

    async fn connect_raw(&self, timeout: Duration) -> Result<Client, ConnectError> {
        let mut config = self.config.clone();
        config.connect_timeout(timeout);
        // As libpq: the connection string's options, else PGOPTIONS.
        if config.get_options().is_none()
            && let Ok(options) = std::env::var(OPTIONS_VARIABLE)
            && !options.trim().is_empty()
        {
            config.options(&options);
        }
        // So a DBA can tell plinth's sessions apart in pg_stat_activity.
        if config.get_application_name().is_none() {
            config.application_name("plinth");
        }
        let attempt = async {
            if config.get_ssl_mode() == SslMode::Disable {
                let (client, connection) = config.connect(NoTls).await?;
                tokio::spawn(connection);
                Ok(client)
            } else {
                let tls = MakeRustlsConnect::new(tls_config(self.verify));
                let (client, connection) = config.connect(tls).await?;
                tokio::spawn(connection);
                Ok(client)
            }
        };
        match tokio::time::timeout(timeout, attempt).await {
            Ok(Ok(client)) => Ok(client),
            Ok(Err(e)) => Err(ConnectError(self.scrub(self.explain(&e, timeout)))),
            Err(_) => Err(ConnectError(self.scrub(format!(
                "cannot connect to {}: no answer within {} s",
                self.describe(),
                timeout.as_secs_f32()
            )))),
        }
    }

    /// The one sentence that says what failed.
    fn explain(&self, e: &tokio_postgres::Error, timeout: Duration) -> String {
        let at = self.describe();
        let user = self.config.get_user().unwrap_or("(default user)");
        if let Some(db) = e.as_db_error() {
            let code = db.code();
            return if *code == SqlState::INVALID_PASSWORD {
                format!("authentication failed for user `{user}` at {at}: wrong password")
            } else if *code == SqlState::INVALID_AUTHORIZATION_SPECIFICATION {
                format!(
                    "authentication failed for user `{user}` at {at}: {}",
                    db.message()
                )
            } else if *code == SqlState::INVALID_CATALOG_NAME {
                format!(
                    "database `{}` does not exist on {}:{}",
                    self.dbname(),
                    self.host(),
                    self.port()
                )
            } else {
                format!(
                    "the server at {at} refused the connection: {}",
                    super::error::DbError::of(e)
                )
            };
        }
        let chain = super::error::chain(e);
        let io_kind = io_error_kind(e);
        let server = format!("{}:{}", self.host(), self.port());
        match io_kind {
            Some(std::io::ErrorKind::ConnectionRefused) => {
                format!("cannot reach {server}: connection refused (is PostgreSQL running there?)")
            }
            Some(std::io::ErrorKind::TimedOut) => format!(
                "cannot reach {server}: no answer within {} s",
                timeout.as_secs_f32()
            ),
            _ if chain.contains("lookup address") || chain.contains("resolve") => {
                format!("cannot reach {server}: the host name does not resolve")
            }
            _ if chain.contains("timeout") || chain.contains("timed out") => format!(
                "cannot reach {server}: no answer within {} s",
                timeout.as_secs_f32()
            ),
            _ if chain.contains("does not support TLS") => {
                format!("the server at {server} does not support TLS, which sslmode=require needs")
            }
            _ if chain.to_ascii_lowercase().contains("tls")
                || chain.contains("certificate")
                || chain.contains("handshake") =>
            {
                format!("the TLS connection to {server} failed: {chain}")
            }
            _ => format!("cannot connect to {at}: {chain}"),
        }
    }

    fn scrub(&self, message: String) -> String {
        scrub(message, self.secret.as_deref())
    }
}

/// Replaces every trace of the password in a message.
fn scrub(message: String, secret: Option<&str>) -> String {
    match secret {
        Some(s) if !s.is_empty() => message.replace(s, "********"),
        _ => message,
    }
}

/// The password of a connection string that did not parse, as well as it
/// can be found, so that the parse error can be scrubbed of it.
fn guess_password(url: &str) -> Option<String> {
    if let Some(rest) = url.split_once("://").map(|(_, r)| r)
        && let Some((userinfo, _)) = rest.split_once('@')
        && let Some((_, password)) = userinfo.split_once(':')
    {
        return Some(password.to_owned());
    }
    let at = url.find("password=")?;
    let value = &url[at + "password=".len()..];
    let value = value.trim_start_matches('\'');
    let end = value.find([' ', '\'', '&']).unwrap_or(value.len());
    Some(value[..end].to_owned())
}

fn io_error_kind(e: &(dyn std::error::Error + 'static)) -> Option<std::io::ErrorKind> {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = source {
        if let Some(io) = err.downcast_ref::<std::io::Error>() {
            return Some(io.kind());
        }
        source = err.source();
    }
    None
}

fn tls_config(verify: bool) -> ClientConfig {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .expect("ring supports the default TLS versions");
    if verify {
        let roots = RootCertStore {
            roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
        };
        builder.with_root_certificates(roots).with_no_client_auth()
    } else {
        builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(EncryptOnly(provider)))
            .with_no_client_auth()
    }
}

/// libpq's `sslmode=require`: encrypt, but take the server's certificate
/// as it comes. Signatures are still checked, so the handshake is sound.
#[derive(Debug)]
struct EncryptOnly(Arc<CryptoProvider>);

impl ServerCertVerifier for EncryptOnly {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_both_spellings_and_sslmode() {
        let t =
            Target::parse("host=db.example user=ann password=s3cret dbname=shop sslmode=require")
                .unwrap();
        assert_eq!(t.describe(), "ann@db.example:5432/shop");
        assert!(t.requires_tls());
        let t = Target::parse("postgresql://ann:s3cret@db.example:6543/shop?sslmode=verify-full")
            .unwrap();
        assert_eq!(t.describe(), "ann@db.example:6543/shop");
        assert!(t.requires_tls() && t.verify);
        assert!(
            !Target::parse("host=x sslmode=disable")
                .unwrap()
                .requires_tls()
        );
    }

    #[test]
    fn parse_errors_do_not_show_the_password() {
        for url in [
            "postgresql://ann:s3cret@db.example:notaport/shop",
            "host=x password=s3cret sslmode=bogus",
        ] {
            let e = Target::parse(url).err().expect("does not parse");
            assert!(!e.0.contains("s3cret"), "{e}");
        }
    }
}
