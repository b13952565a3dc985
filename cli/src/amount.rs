//! OPEN amounts as people type them (`1.5`) and as the chain counts them (wei, 18 decimals).

use alloy::primitives::{
    U256,
    utils::{format_units, parse_units},
};

use crate::error::{CliError, Result};

/// Decimals of OPEN, on L1 (the ERC-20) and on L2 (the native token).
pub const OPEN_DECIMALS: u8 = 18;

/// Parses a positive decimal amount of OPEN (`"1"`, `"1.5"`, `"0.000000000000000001"`) into wei.
///
/// Strict where alloy's `parse_units` is lenient: no sign, no exponent, no separators, and more
/// than 18 decimals is an error instead of a silent truncation.
pub fn parse_open(input: &str) -> Result<U256> {
    let wei = parse_open_or_zero(input)?;
    if wei.is_zero() {
        return Err(CliError::InvalidAmount {
            input: input.to_string(),
            reason: "must be more than zero",
        });
    }
    Ok(wei)
}

/// [`parse_open`] that also takes zero (`"0"`): fees and deposits may be free.
pub fn parse_open_or_zero(input: &str) -> Result<U256> {
    let invalid = |reason| CliError::InvalidAmount {
        input: input.to_string(),
        reason,
    };
    let (int, frac) = input.split_once('.').unwrap_or((input, ""));
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if int.is_empty() && frac.is_empty() || !digits(int) || !digits(frac) {
        return Err(invalid("expected a decimal number of OPEN such as 1.5"));
    }
    if frac.len() > usize::from(OPEN_DECIMALS) {
        return Err(invalid("OPEN has 18 decimals"));
    }
    Ok(parse_units(input, OPEN_DECIMALS)
        .map_err(|_| invalid("too large"))?
        .into())
}

/// Formats wei as OPEN without trailing zeros (`1500000000000000000` → `"1.5"`).
pub fn format_open(wei: U256) -> String {
    let s = format_units(wei, OPEN_DECIMALS).unwrap_or_else(|_| wei.to_string());
    match s.split_once('.') {
        Some((int, frac)) => {
            let frac = frac.trim_end_matches('0');
            if frac.is_empty() {
                int.to_string()
            } else {
                format!("{int}.{frac}")
            }
        }
        None => s,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const OPEN: U256 = U256::from_limbs([1_000_000_000_000_000_000, 0, 0, 0]);

    #[test]
    fn parses_decimal_open() {
        assert_eq!(parse_open("1").unwrap(), OPEN);
        assert_eq!(
            parse_open("1.5").unwrap(),
            OPEN * U256::from(3) / U256::from(2)
        );
        assert_eq!(parse_open(".5").unwrap(), OPEN / U256::from(2));
        assert_eq!(parse_open("2.").unwrap(), OPEN * U256::from(2));
        assert_eq!(parse_open("0.000000000000000001").unwrap(), U256::from(1));
        assert_eq!(
            parse_open("1000000000").unwrap(),
            OPEN * U256::from(1_000_000_000u64)
        );
    }

    #[test]
    fn refuses_what_is_not_a_positive_amount() {
        for bad in [
            "", ".", "0", "0.0", "-1", "+1", "1e18", "1.2.3", "1,5", " 1", "abc", "0x10",
        ] {
            let err = parse_open(bad).unwrap_err();
            assert!(
                matches!(err, CliError::InvalidAmount { .. }),
                "{bad}: {err}"
            );
        }
        let err = parse_open("0.0000000000000000001").unwrap_err();
        assert!(err.to_string().contains("18 decimals"), "{err}");
        assert_eq!(parse_open_or_zero("0").unwrap(), U256::ZERO);
        assert!(parse_open_or_zero("-1").is_err());
        let huge = "9".repeat(100);
        assert!(parse_open(&huge).is_err());
    }

    #[test]
    fn formats_without_trailing_zeros() {
        assert_eq!(format_open(OPEN), "1");
        assert_eq!(format_open(OPEN * U256::from(5) / U256::from(2)), "2.5");
        assert_eq!(format_open(U256::from(1)), "0.000000000000000001");
        assert_eq!(format_open(U256::ZERO), "0");
        for s in ["1.5", "0.25", "12345.000001"] {
            assert_eq!(format_open(parse_open(s).unwrap()), s);
        }
    }
}
