//! A file transfer's progress as one line: a bar, the percentage, the bytes, the speed and
//! the time left (`[#########-----------]  45 %  90.0 MB of 200.0 MB  85.3 MB/s  2 s left`).

use wink_domain::FileProgress;

const BAR_WIDTH: usize = 20;

/// The line for `progress`.
pub(crate) fn line(progress: &FileProgress) -> String {
    let percent = progress.percent();
    let filled = usize::from(percent) * BAR_WIDTH / 100;
    let bar = format!("{}{}", "#".repeat(filled), "-".repeat(BAR_WIDTH - filled));
    let speed = if progress.bytes_per_second > 0 {
        format!("  {}/s", size(progress.bytes_per_second))
    } else {
        String::new()
    };
    let left = progress
        .seconds_left
        .map(|secs| format!("  {} left", duration(secs)))
        .unwrap_or_default();
    format!(
        "[{bar}] {percent:>3} %  {} of {}{speed}{left}",
        size(progress.transferred),
        size(progress.total)
    )
}

/// Bytes in the largest unit that keeps them above 1 (decimal units, as file managers show).
pub(crate) fn size(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["kB", "MB", "GB", "TB"];
    if bytes < 1000 {
        return format!("{bytes} B");
    }
    let mut value = bytes as f64 / 1000.0;
    let mut unit = 0;
    while value >= 1000.0 && unit < UNITS.len() - 1 {
        value /= 1000.0;
        unit += 1;
    }
    format!("{value:.1} {}", UNITS[unit])
}

fn duration(secs: u64) -> String {
    match secs {
        0..60 => format!("{secs} s"),
        60..3600 => format!("{} min {} s", secs / 60, secs % 60),
        _ => format!("{} h {} min", secs / 3600, secs % 3600 / 60),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_shows_bar_percent_bytes_speed_and_time_left() {
        let progress = FileProgress {
            transferred: 90_000_000,
            total: 200_000_000,
            bytes_per_second: 85_300_000,
            seconds_left: Some(2),
        };
        assert_eq!(
            line(&progress),
            "[#########-----------]  45 %  90.0 MB of 200.0 MB  85.3 MB/s  2 s left"
        );
    }

    #[test]
    fn before_the_speed_is_known_only_the_bytes_show() {
        let progress = FileProgress {
            transferred: 512,
            total: 4_000_000_000,
            bytes_per_second: 0,
            seconds_left: None,
        };
        assert_eq!(
            line(&progress),
            "[--------------------]   0 %  512 B of 4.0 GB"
        );
        assert_eq!(duration(3725), "1 h 2 min");
        assert_eq!(duration(61), "1 min 1 s");
    }
}
