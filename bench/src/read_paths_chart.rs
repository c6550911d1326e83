//! The chart of `read_paths --svg PATH`: rows/s of each read as a bar, on a log scale
//! (the paths differ by one or two orders of magnitude), with the file path's bound
//! as a mark over its bar.

use std::path::Path;

use athena_stream::error::BoxError;

/// One bar: what was read how, its rows/s, and the bound if it has one.
pub struct Bar {
    pub label: String,
    pub rows_per_sec: f64,
    pub bound: Option<f64>,
}

/// Writes the bars to an SVG file at `path` (its folder is made if missing).
///
/// # Errors
/// No bar with a rate above 0, or the file cannot be written.
pub fn write(path: &Path, caption: &str, bars: &[Bar]) -> Result<(), BoxError> {
    use plotters::prelude::*;

    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    let (y_lo, y_hi) = y_range(bars).ok_or("nothing to chart")?;

    let root = SVGBackend::new(path, (900, 520)).into_drawing_area();
    root.fill(&WHITE)?;
    let mut chart = ChartBuilder::on(&root)
        .caption(caption, ("sans-serif", 18))
        .margin(16)
        .x_label_area_size(40)
        .y_label_area_size(80)
        .build_cartesian_2d(-0.5..bars.len() as f64 - 0.5, (y_lo..y_hi).log_scale())?;
    // Bar i is centred on x = i; the mesh's labels at other places are left blank.
    let label = |x: &f64| {
        let i = x.round();
        if (x - i).abs() > 1e-6 || i < 0.0 {
            return String::new();
        }
        bars.get(i as usize)
            .map_or_else(String::new, |b| b.label.clone())
    };
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_labels(bars.len())
        .x_label_formatter(&label)
        .y_desc("rows/s (log scale)")
        .y_label_formatter(&|y| format!("{y:.0}"))
        .draw()?;

    let colour = RGBColor(31, 119, 180);
    chart.draw_series(bars.iter().enumerate().map(|(i, bar)| {
        let x = i as f64;
        Rectangle::new(
            [(x - 0.35, y_lo), (x + 0.35, bar.rows_per_sec.max(y_lo))],
            colour.filled(),
        )
    }))?;
    let bound_style = ShapeStyle::from(&BLACK).stroke_width(2);
    chart
        .draw_series(bars.iter().enumerate().filter_map(|(i, bar)| {
            let x = i as f64;
            let bound = bar.bound.filter(|b| b.is_finite())?;
            Some(PathElement::new(
                vec![(x - 0.4, bound), (x + 0.4, bound)],
                bound_style,
            ))
        }))?
        .label("file path's bound")
        .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], bound_style));
    // Each bar's figure just above it.
    chart.draw_series(bars.iter().enumerate().map(|(i, bar)| {
        Text::new(
            format!("{:.0}", bar.rows_per_sec),
            (i as f64 - 0.3, bar.rows_per_sec.max(y_lo) * 1.6),
            ("sans-serif", 13).into_font(),
        )
    }))?;
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperLeft)
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .draw()?;
    root.present()?;
    Ok(())
}

/// The y axis: from half the lowest figure to three times the highest (room for the
/// figures above the bars and the legend), or none when no figure is above 0.
fn y_range(bars: &[Bar]) -> Option<(f64, f64)> {
    let values = bars
        .iter()
        .flat_map(|b| [Some(b.rows_per_sec), b.bound])
        .flatten()
        .filter(|v| v.is_finite() && *v > 0.0);
    let (lo, hi) = values.fold((f64::INFINITY, 0.0f64), |(lo, hi), v| {
        (lo.min(v), hi.max(v))
    });
    (lo.is_finite() && hi > 0.0).then_some((lo / 2.0, hi * 3.0))
}
