//! A minimal blocking HTTP/1.1 client over `std::net::TcpStream`.
//!
//! Raw sockets let the tests see exactly what goes over the wire (a dropped
//! connection, a reused keep-alive connection) without pulling an HTTP client
//! crate into a crate that is itself a test dependency.

#![allow(dead_code)] // each test binary uses a different subset

use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use serde_json::Value;

/// A parsed HTTP response.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).expect("response body is JSON")
    }

    /// The assistant message content of a completion.
    pub fn content(&self) -> String {
        self.json()["choices"][0]["message"]["content"]
            .as_str()
            .expect("content is a string")
            .to_owned()
    }
}

/// One keep-alive connection.
pub struct Client {
    reader: BufReader<TcpStream>,
}

/// `127.0.0.1:PORT` from `http://127.0.0.1:PORT/v1`.
pub fn authority(base_url: &str) -> &str {
    let rest = base_url.strip_prefix("http://").expect("http URL");
    rest.split('/').next().expect("authority")
}

impl Client {
    pub fn connect(base_url: &str) -> io::Result<Client> {
        let stream = TcpStream::connect(authority(base_url))?;
        stream.set_read_timeout(Some(Duration::from_secs(20)))?;
        Ok(Client {
            reader: BufReader::new(stream),
        })
    }

    pub fn send(
        &mut self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &str,
    ) -> io::Result<Reply> {
        let mut head = format!(
            "{method} {path} HTTP/1.1\r\nHost: localhost\r\nContent-Length: {}\r\n",
            body.len()
        );
        for (name, value) in headers {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        head.push_str("\r\n");
        let stream = self.reader.get_mut();
        stream.write_all(head.as_bytes())?;
        stream.write_all(body.as_bytes())?;
        self.read_reply()
    }

    pub fn chat(&mut self, body: &str) -> io::Result<Reply> {
        self.send(
            "POST",
            "/v1/chat/completions",
            &[("Content-Type", "application/json")],
            body,
        )
    }

    fn read_reply(&mut self) -> io::Result<Reply> {
        let mut line = String::new();
        if self.reader.read_line(&mut line)? == 0 {
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
        let status = line
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| io::Error::other(format!("bad status line {line:?}")))?;
        let mut headers = Vec::new();
        loop {
            line.clear();
            self.reader.read_line(&mut line)?;
            let trimmed = line.trim_end();
            if trimmed.is_empty() {
                break;
            }
            if let Some((name, value)) = trimmed.split_once(':') {
                headers.push((name.trim().to_owned(), value.trim().to_owned()));
            }
        }
        let length: usize = headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case("content-length"))
            .and_then(|(_, v)| v.parse().ok())
            .unwrap_or(0);
        let mut body = vec![0; length];
        self.reader.read_exact(&mut body)?;
        let body = String::from_utf8(body).map_err(io::Error::other)?;
        Ok(Reply {
            status,
            headers,
            body,
        })
    }
}

/// One request on a fresh connection.
pub fn chat(base_url: &str, body: &str) -> io::Result<Reply> {
    Client::connect(base_url)?.chat(body)
}

pub fn get(base_url: &str, path: &str) -> io::Result<Reply> {
    Client::connect(base_url)?.send("GET", path, &[], "")
}
