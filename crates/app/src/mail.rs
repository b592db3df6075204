//! E-mail copies of notifications, through the host's `sendmail` interface (the MTA relays to
//! the territory's SMTP server: postfix, exim, msmtp…). Messages name records by number and link
//! to the application; never a name or a personal value (they leave our systems).

use std::io::Write;
use std::process::{Command, Stdio};

use crate::{App, Result};

/// Notifications older than this are not e-mailed any more (a late relay would only confuse).
const MAX_AGE_DAYS: i64 = 7;

impl App {
    /// Sends the notifications not yet e-mailed; returns how many were handed to the MTA. Does
    /// nothing when no sendmail program is configured. A failed hand-over leaves the
    /// notification unsent for the next run, and is logged without the address.
    pub async fn deliver_emails(&self) -> Result<usize> {
        let Some(program) = self.config.sendmail.clone() else { return Ok(0) };
        let since = (time::OffsetDateTime::now_utc() - time::Duration::days(MAX_AGE_DAYS))
            .format(&time::format_description::well_known::Rfc3339)
            .expect("UTC timestamps always format");
        let mut conn = self.store.pool().acquire().await?;
        let pending = store::cca::unsent_emails(&mut conn, &since).await?;
        let mut sent = 0;
        for (id, to, message, link) in pending {
            let body = message_for(&to, &message, &format!("{}{link}", self.config.base_url.trim_end_matches('/')));
            match hand_over(&program, &body) {
                Ok(()) => {
                    store::cca::mark_emailed(&mut conn, id).await?;
                    sent += 1;
                }
                Err(e) => tracing::warn!(notification = id, error = %e, "e-mail not handed over"),
            }
        }
        Ok(sent)
    }
}

/// An RFC 5322 message: UTF-8 subject encoded per RFC 2047, plain-text UTF-8 body.
fn message_for(to: &str, message: &str, url: &str) -> String {
    let subject = format!("[parcours] {message}");
    let encoded = format!("=?UTF-8?B?{}?=", base64_encode(subject.as_bytes()));
    format!(
        "To: {to}\r\nSubject: {encoded}\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\
         Content-Transfer-Encoding: 8bit\r\nAuto-Submitted: auto-generated\r\n\r\n{message}\r\n\r\n\
         Pour le consulter : {url}\r\n\r\n-- \r\nparcours — message automatique, ne pas répondre.\r\n"
    )
}

fn base64_encode(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// `sendmail -t -i`: recipients from the headers, a lone dot is not the end.
fn hand_over(program: &std::path::Path, message: &str) -> std::io::Result<()> {
    let mut child = Command::new(program).args(["-t", "-i"]).stdin(Stdio::piped()).spawn()?;
    child.stdin.take().expect("piped stdin").write_all(message.as_bytes())?;
    let status = child.wait()?;
    if status.success() {
        Ok(())
    } else {
        Err(std::io::Error::other(format!("sendmail exited with {status}")))
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn messages_are_well_formed_and_encode_the_subject() {
        let m = super::message_for("a@b.test", "Saisine n° 3 : décision", "http://x/cca/saisines/3");
        assert!(m.starts_with("To: a@b.test\r\nSubject: =?UTF-8?B?"));
        assert!(m.contains("\r\n\r\nSaisine n° 3 : décision\r\n"));
        assert!(m.contains("http://x/cca/saisines/3"));
        assert!(m.lines().next().unwrap().is_ascii());
    }
}
