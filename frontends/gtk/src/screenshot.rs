//! Windows rendered to PNG, the way `gtk4-builder-tool screenshot` does it
//! (`WidgetPaintable` → snapshot → the window's renderer → texture → PNG), for the
//! end-to-end tests that look at every window. A test hook: the app installs the actions
//! only when `WINK_SCREENSHOTS` is set in its environment.

use std::path::{Path, PathBuf};

use gtk::prelude::*;
use gtk::{gdk, graphene};

/// Why a window could not be saved.
#[derive(Debug, thiserror::Error)]
pub(crate) enum ScreenshotError {
    /// Not realized or zero-sized.
    #[error("the window {0:?} is not on screen")]
    NotShown(String),
    /// Rendering produced nothing.
    #[error("the window {0:?} drew nothing")]
    Nothing(String),
    /// Every pixel is the same colour.
    #[error("the window {0:?} rendered blank")]
    Blank(String),
    /// The file could not be written.
    #[error("{path} cannot be written: {source}")]
    Write {
        /// Where.
        path: PathBuf,
        /// Why.
        source: gtk::glib::BoolError,
    },
}

/// Saves every visible window (dialogs too) as `<prefix>-<title>.png`, and each open
/// popover of it as `<prefix>-<title>-popover<n>.png`; returns the paths.
/// Each window is saved right after its next paint, when its render nodes are current (a
/// snapshot taken while a change is pending can come out empty).
pub(crate) async fn save_windows(prefix: &Path) -> Result<Vec<PathBuf>, ScreenshotError> {
    let mut saved = Vec::new();
    let toplevels = gtk::Window::list_toplevels();
    let windows: Vec<gtk::Window> = toplevels
        .into_iter()
        .filter_map(|w| w.downcast::<gtk::Window>().ok())
        .filter(|w| w.is_visible())
        .collect();
    for window in windows {
        let title = window.title().map(|t| t.to_string()).unwrap_or_default();
        let path = PathBuf::from(format!("{}-{}.png", prefix.display(), slug(&title)));
        // A window whose layout is being redone paints nothing into the paintable; the
        // next frames have it (seen after a switch to the dark style): up to ten frames.
        let mut attempt = 0;
        loop {
            after_next_paint(&window).await;
            match save(window.upcast_ref(), &title, &path) {
                Err(ScreenshotError::Nothing(_)) if attempt < 10 => attempt += 1,
                other => break other?,
            }
        }
        saved.push(path);
        // An open menu or popover is a surface of its own, not part of the window's image.
        for (n, popover) in open_popovers(window.upcast_ref()).iter().enumerate() {
            let path = PathBuf::from(format!(
                "{}-{}-popover{}.png",
                prefix.display(),
                slug(&title),
                n + 1
            ));
            save(popover.upcast_ref(), &title, &path)?;
            saved.push(path);
        }
    }
    Ok(saved)
}

/// The popovers showing inside `widget` (menus, the transfer popover), outermost first.
fn open_popovers(widget: &gtk::Widget) -> Vec<gtk::Popover> {
    let mut found = Vec::new();
    let mut child = widget.first_child();
    while let Some(current) = child {
        match current.downcast_ref::<gtk::Popover>() {
            Some(popover) if popover.is_mapped() => found.push(popover.clone()),
            _ => {}
        }
        found.extend(open_popovers(&current));
        child = current.next_sibling();
    }
    found
}

/// Resolves once `window` has painted a new frame (at most 2 s: a window that does not
/// paint is then saved as it is, and an empty image fails the caller).
async fn after_next_paint(window: &gtk::Window) {
    let Some(clock) = window.frame_clock() else {
        return;
    };
    let (painted, done) = tokio::sync::oneshot::channel::<()>();
    let painted = std::cell::Cell::new(Some(painted));
    let handler = clock.connect_after_paint(move |_| {
        if let Some(painted) = painted.take() {
            let _ = painted.send(());
        }
    });
    window.queue_draw();
    let _ = gtk::glib::future_with_timeout(std::time::Duration::from_secs(2), done).await;
    clock.disconnect(handler);
}

fn save(window: &gtk::Widget, title: &str, path: &Path) -> Result<(), ScreenshotError> {
    let (width, height) = (window.width(), window.height());
    let renderer = window
        .native()
        .and_then(|native| native.renderer())
        .filter(|_| width > 0 && height > 0)
        .ok_or_else(|| ScreenshotError::NotShown(title.to_owned()))?;
    let paintable = gtk::WidgetPaintable::new(Some(window));
    let snapshot = gtk::Snapshot::new();
    paintable.snapshot(&snapshot, f64::from(width), f64::from(height));
    let node = snapshot
        .to_node()
        .ok_or_else(|| ScreenshotError::Nothing(title.to_owned()))?;
    let viewport = graphene::Rect::new(0.0, 0.0, width as f32, height as f32);
    let texture = renderer.render_texture(node, Some(&viewport));
    if is_blank(&texture) {
        return Err(ScreenshotError::Blank(title.to_owned()));
    }
    texture
        .save_to_png(path)
        .map_err(|source| ScreenshotError::Write {
            path: path.to_owned(),
            source,
        })
}

/// Whether every pixel has the same colour.
fn is_blank(texture: &gdk::Texture) -> bool {
    let (width, height) = (texture.width(), texture.height());
    let stride = usize::try_from(width).unwrap_or(0) * 4;
    let mut pixels = vec![0u8; stride * usize::try_from(height).unwrap_or(0)];
    texture.download(&mut pixels, stride);
    let mut chunks = pixels.chunks_exact(4);
    let Some(first) = chunks.next() else {
        return true;
    };
    chunks.all(|pixel| pixel == first)
}

/// A file-name part from a window title: lower case, `-` for anything else.
fn slug(title: &str) -> String {
    let slug: String = title
        .chars()
        .map(|c| {
            if c.is_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    let slug = slug.trim_matches('-').to_owned();
    if slug.is_empty() {
        "window".into()
    } else {
        slug
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn titles_become_file_names() {
        assert_eq!(
            super::slug("Incoming call from Ann Lee"),
            "incoming-call-from-ann-lee"
        );
        assert_eq!(super::slug("  "), "window");
    }
}
