//! CPU time of a process (user + system, from `/proc/<pid>/stat`), to show how the two cores were
//! shared between the node and the load generator during a measurement.

use eyre::{Result, WrapErr, eyre};

/// CPU seconds used so far by `pid` (`"self"` for the bench).
pub(crate) fn cpu_seconds(pid: &str) -> Result<f64> {
    let path = format!("/proc/{pid}/stat");
    let stat = std::fs::read_to_string(&path).wrap_err_with(|| format!("reading {path}"))?;
    let ticks = parse_ticks(&stat).ok_or_else(|| eyre!("unexpected {path}: {stat}"))?;
    // SAFETY: sysconf(3) only reads a configuration value.
    let per_second = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
    if per_second <= 0 {
        return Err(eyre!("sysconf(_SC_CLK_TCK) failed"));
    }
    Ok(ticks as f64 / per_second as f64)
}

/// utime + stime (fields 14 and 15) of a `/proc/<pid>/stat` line, in clock ticks.
fn parse_ticks(stat: &str) -> Option<u64> {
    // The command name (field 2) is in parentheses and may contain spaces: start after it.
    let rest = &stat[stat.rfind(')')? + 1..];
    let mut fields = rest.split_whitespace().skip(11); // field 3 is the first after ')'
    let utime: u64 = fields.next()?.parse().ok()?;
    let stime: u64 = fields.next()?.parse().ok()?;
    Some(utime + stime)
}

/// CPU seconds of the bench and of a node between two samples.
#[derive(Debug, Clone, Copy)]
pub(crate) struct CpuSample {
    bench: f64,
    node: f64,
}

impl CpuSample {
    /// Samples the bench and node `pid` now.
    pub(crate) fn now(pid: u32) -> Result<Self> {
        Ok(Self {
            bench: cpu_seconds("self")?,
            node: cpu_seconds(&pid.to_string())?,
        })
    }

    /// (bench, node) CPU seconds used since `earlier`.
    pub(crate) fn since(&self, earlier: &Self) -> (f64, f64) {
        (self.bench - earlier.bench, self.node - earlier.node)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_stat_with_spaces_in_the_name() {
        let stat = "1234 (a b) S 1 2 3 4 5 6 7 8 9 10 250 50 0 0 20 0 1 0 99 0 0";
        assert_eq!(parse_ticks(stat), Some(300));
        assert!(cpu_seconds("self").unwrap() >= 0.0);
    }
}
