use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use super::*;

const FRAME: Duration = Duration::from_millis(20);

/// Sends `count` 20 ms packets (payload = their index) through a network with the given
/// delay function and loss, pops every 20 ms, and returns what was played.
fn simulate(
    count: u32,
    mut delay_ms: impl FnMut(u32) -> u64,
    mut lost: impl FnMut(u32) -> bool,
) -> (Vec<Playout>, JitterBuffer) {
    let start = Instant::now();
    let mut buffer = JitterBuffer::new(8000, 160);
    let mut arrivals: Vec<(Instant, u32)> = (0..count)
        .filter(|&i| !lost(i))
        .map(|i| (start + FRAME * i + Duration::from_millis(delay_ms(i)), i))
        .collect();
    arrivals.sort();
    let mut arrivals = arrivals.into_iter().peekable();
    let mut played = Vec::new();
    // 1 ms steps; pop on every 20 ms boundary, offset by half a frame from the sender.
    for ms in 0..(count as u64 * 20 + 1000) {
        let now = start + Duration::from_millis(ms);
        while let Some((at, i)) = arrivals.peek().copied() {
            if at > now {
                break;
            }
            arrivals.next();
            buffer.push(
                at,
                0x1234,
                1000u32.wrapping_mul(7) + i * 160,
                i.to_be_bytes().to_vec(),
            );
        }
        if ms % 20 == 10 {
            played.push(buffer.pop(now));
        }
    }
    (played, buffer)
}

fn packet_indices(played: &[Playout]) -> Vec<u32> {
    played
        .iter()
        .filter_map(|p| match p {
            Playout::Packet(bytes) => Some(u32::from_be_bytes(bytes[..4].try_into().unwrap())),
            _ => None,
        })
        .collect()
}

#[test]
fn a_steady_network_plays_everything_in_order_with_one_frame_of_delay() {
    let (played, buffer) = simulate(200, |_| 5, |_| false);
    assert_eq!(packet_indices(&played), (0..200).collect::<Vec<_>>());
    let stats = buffer.stats();
    assert_eq!((stats.late, stats.concealed, stats.dropped), (0, 0, 0));
    assert_eq!(stats.target_ms, 20);
    assert!(stats.delay_ms <= 40, "{stats:?}");
}

#[test]
fn jitter_and_reordering_grow_the_delay_so_nearly_nothing_is_late() {
    let mut rng = StdRng::seed_from_u64(20261125);
    // 40 ms ± 20 ms, as the lossy relay of the interop test does: packets overtake each other.
    let (played, buffer) = simulate(1500, |_| rng.random_range(20..=60), |_| false);
    let stats = buffer.stats();
    let indices = packet_indices(&played);
    assert!(
        indices.windows(2).all(|w| w[0] < w[1]),
        "played out of order"
    );
    assert!(stats.target_ms >= 40, "{stats:?}");
    // Only while the target is still learning may a packet come too late.
    assert!(stats.late < 30, "{stats:?}");
    assert!(
        indices.len() > 1450,
        "{} of 1500 played; {stats:?}",
        indices.len()
    );
}

#[test]
fn lost_packets_are_concealed_and_offer_the_next_one_for_fec() {
    let (played, buffer) = simulate(300, |_| 10, |i| i % 20 == 7);
    let lost: Vec<&Playout> = played
        .iter()
        .filter(|p| matches!(p, Playout::Lost { .. }))
        .collect();
    assert_eq!(lost.len(), 15, "{:?}", buffer.stats());
    for playout in lost {
        let Playout::Lost { next: Some(next) } = playout else {
            panic!("the following packet was there: {playout:?}")
        };
        assert_eq!(u32::from_be_bytes(next[..4].try_into().unwrap()) % 20, 8);
    }
    assert_eq!(buffer.stats().concealed, 15);
}

#[test]
fn when_jitter_calms_down_the_delay_shrinks_again() {
    let mut rng = StdRng::seed_from_u64(7);
    let (_, buffer) = simulate(
        1000,
        |i| {
            if i < 300 {
                rng.random_range(0..=120)
            } else {
                10
            }
        },
        |_| false,
    );
    let stats = buffer.stats();
    assert!(stats.dropped > 0, "{stats:?}");
    assert!(stats.target_ms <= 40, "{stats:?}");
    assert!(stats.delay_ms <= 80, "{stats:?}");
}

#[test]
fn timestamps_wrap_around_and_a_new_ssrc_starts_over() {
    let start = Instant::now();
    let mut buffer = JitterBuffer::new(8000, 160);
    let first = u32::MAX - 159;
    for (i, ts) in [first, first.wrapping_add(160), first.wrapping_add(320)]
        .into_iter()
        .enumerate()
    {
        buffer.push(start + FRAME * i as u32, 1, ts, vec![i as u8]);
    }
    let mut played = Vec::new();
    for i in 1..6 {
        played.push(buffer.pop(start + FRAME * i));
    }
    let packets: Vec<&Playout> = played
        .iter()
        .filter(|p| matches!(p, Playout::Packet(_)))
        .collect();
    assert_eq!(packets.len(), 3, "{played:?}");

    buffer.push(start + FRAME * 7, 2, 5, vec![9]);
    assert_eq!(buffer.pop(start + FRAME * 8), Playout::Packet(vec![9]));
}

#[test]
fn a_flood_of_packets_is_bounded() {
    let start = Instant::now();
    let mut buffer = JitterBuffer::new(8000, 160);
    for i in 0..(MAX_PACKETS as u32 * 3) {
        buffer.push(start, 1, i * 160, vec![0; 10]);
    }
    assert!(buffer.packets.len() <= MAX_PACKETS);
}
