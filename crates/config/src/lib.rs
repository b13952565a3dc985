//! The optional `--config` TOML file of Tributary's binaries (sequencer, gateway).
//!
//! Every binary takes its settings from four places, first found wins: the command line, the
//! environment (`TRIBUTARY_*`, through clap's `env`), the file, the built-in defaults. Clap
//! handles the first, second and fourth; this crate reads the file and fills in a parsed
//! `Args` only where the user set nothing on the command line or in the environment, so a
//! clap default never hides a value in the file.
//!
//! ```ignore
//! let matches = Args::command().get_matches();
//! let mut args = Args::from_arg_matches(&matches)?;
//! if let Some(path) = args.config.clone() {
//!     let file: FileConfig = tributary_config::read(&path)?;
//!     tributary_config::fill!(args, matches; file.listen => listen, file.top_k => top_k);
//! }
//! ```
//!
//! File structs should carry `#[serde(deny_unknown_fields)]`: a misspelt key is an error, not a
//! setting silently ignored.

use std::path::{Path, PathBuf};

use clap::{ArgMatches, parser::ValueSource};
use serde::de::DeserializeOwned;

/// A configuration file that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("reading config file {}: {source}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The file is not valid TOML for these settings (unknown key, wrong type...).
    #[error("parsing config file {}: {source}", path.display())]
    Parse {
        /// The file.
        path: PathBuf,
        /// Where and why, as toml words it.
        source: toml::de::Error,
    },
}

/// Reads and parses the TOML file at `path`.
pub fn read<T: DeserializeOwned>(path: &Path) -> Result<T, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    toml::from_str(&text).map_err(|source| ConfigError::Parse {
        path: path.to_path_buf(),
        source,
    })
}

/// Whether the argument `id` was given on the command line or in the environment (then the
/// file must not override it).
pub fn set_by_user(matches: &ArgMatches, id: &str) -> bool {
    matches!(
        matches.value_source(id),
        Some(ValueSource::CommandLine | ValueSource::EnvVariable)
    )
}

/// `fill!(args, matches; value => field, ...)`: for each `value: Option<_>` from the file that
/// is `Some`, assigns it (through `Into`) to `args.field` unless the user set `field`
/// ([`set_by_user`]; the clap id is the field's name).
#[macro_export]
macro_rules! fill {
    ($args:expr, $matches:expr; $($value:expr => $field:ident),+ $(,)?) => {
        $(
            if let Some(v) = $value
                && !$crate::set_by_user(&$matches, stringify!($field))
            {
                $args.$field = v.into();
            }
        )+
    };
}

#[cfg(test)]
mod tests {
    use clap::{CommandFactory, FromArgMatches, Parser};
    use serde::Deserialize;

    #[derive(Debug, Parser)]
    struct Args {
        #[arg(long, env = "TRIBUTARY_CONFIG_TEST_PORT", default_value_t = 1)]
        port: u16,
        #[arg(long, default_value = "a")]
        name: String,
        #[arg(long)]
        dir: Option<String>,
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct File {
        port: Option<u16>,
        name: Option<String>,
        dir: Option<String>,
    }

    fn run(argv: &[&str], toml: &str) -> Args {
        let matches = Args::command().get_matches_from(argv);
        let mut args = Args::from_arg_matches(&matches).unwrap();
        let file: File = toml::from_str(toml).unwrap();
        fill!(args, matches; file.port => port, file.name => name, file.dir.map(Some) => dir);
        args
    }

    #[test]
    fn the_file_fills_what_the_user_did_not_set() {
        let args = run(&["t"], "port = 7\nname = \"b\"\ndir = \"d\"");
        assert_eq!(
            (args.port, args.name.as_str(), args.dir.as_deref()),
            (7, "b", Some("d"))
        );
    }

    #[test]
    fn the_command_line_beats_the_file_and_defaults_lose_to_it() {
        let args = run(&["t", "--name", "c"], "port = 7\nname = \"b\"");
        assert_eq!((args.port, args.name.as_str(), args.dir), (7, "c", None));
    }

    #[test]
    fn unreadable_and_misspelt_files_are_errors_naming_the_file() {
        let dir = std::env::temp_dir().join(format!("tributary-config-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let missing = dir.join("missing.toml");
        let e = super::read::<File>(&missing).unwrap_err().to_string();
        assert!(
            e.starts_with("reading config file") && e.contains("missing.toml"),
            "{e}"
        );
        let typo = dir.join("typo.toml");
        std::fs::write(&typo, "prot = 7\n").unwrap();
        let e = super::read::<File>(&typo).unwrap_err().to_string();
        assert!(e.contains("typo.toml") && e.contains("prot"), "{e}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
