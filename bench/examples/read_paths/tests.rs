//! The plan and the report, without running a read.

use super::*;

/// The process's CPU time is read, and grows with work done.
#[cfg(target_os = "linux")]
#[test]
fn the_process_cpu_time_grows_with_work() {
    let before = process_cpu().expect("/proc/self/stat is readable");
    let started = Instant::now();
    let mut x = 0u64;
    while cpu_since(Some(before)).unwrap() < Duration::from_millis(30) {
        for i in 0..100_000u64 {
            x = std::hint::black_box(x.wrapping_mul(31).wrapping_add(i));
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "no CPU time counted"
        );
    }
    assert!(process_cpu().unwrap() >= before);
}

#[test]
fn cores_busy_is_cpu_time_over_elapsed() {
    let ms = Duration::from_millis;
    assert_eq!(cores_busy(ms(1500), ms(1000)), 1.5);
    assert_eq!(cores_busy(ms(333), ms(1000)), 0.333);
    assert_eq!(cores_busy(ms(1), ms(3000)), 0.0);
}
