//! Test files for transfers: content that differs all along its length (xorshift), so a
//! piece written at the wrong offset or a repeated chunk shows in a byte comparison.

use std::path::Path;

/// Writes `len` bytes (a multiple of 8) of varied content to `path` and returns them.
///
/// # Panics
/// When the file cannot be written (the test cannot go on).
pub fn varied_file(path: &Path, len: usize) -> Vec<u8> {
    let mut state = 0x2545_F491_4F6C_DD1D_u64;
    let content: Vec<u8> = (0..len / 8)
        .flat_map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state.to_le_bytes()
        })
        .collect();
    std::fs::write(path, &content).expect("the test file is written");
    content
}
