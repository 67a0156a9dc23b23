//! The eco-map: the child's network as one picture, drawn on the server as a standalone SVG.
//!
//! Drawing on the server keeps the picture the same in the browser, in a PDF and in the case file,
//! needs no JavaScript and leaks nothing to a third-party script. The child is in the centre, the
//! five [`Sector`]s are wedges around it and the three [`Closeness`] rings say how close each
//! person is; the line to each person shows the quality of the relation by its pattern (readable
//! in black and white) and by its colour. The picture carries its revision and date and a key,
//! as the guidance on eco-maps asks.

use chrono::NaiveDate;
use uuid::Uuid;

use super::categories::{
    Closeness, Lang, Lineage, NetworkSide, RelationCategory, RelationQuality, Sector,
};
use crate::mail::templates::fill;
use crate::time;
use crate::web::i18n::Tr;

/// What the picture shows: one revision of a child's network map.
#[derive(Debug, Clone)]
pub struct EcoMap {
    /// Shown in the centre, e.g. the child's first name; the picture never needs the full name.
    pub child_label: String,
    /// e.g. "Revisjon 3", so printed copies of different revisions can be told apart.
    pub revision_label: String,
    pub revision_date: NaiveDate,
    pub persons: Vec<EcoPerson>,
}

/// One person on the map and their relation to the child.
#[derive(Debug, Clone)]
pub struct EcoPerson {
    pub id: Uuid,
    pub name: String,
    pub category: RelationCategory,
    pub closeness: Closeness,
    pub quality: RelationQuality,
    /// Who "kan stille opp der og da" if something happens: marked so it is seen at once.
    pub can_step_in_acutely: bool,
    pub side: NetworkSide,
    pub lineage: Lineage,
}

const CX: f64 = 500.0;
const CY: f64 = 530.0;
const CHILD_R: f64 = 50.0;
/// The outer edge of each closeness ring; the band beyond the last one holds the sector names.
const RING_OUTER: [f64; 3] = [190.0, 300.0, 406.0];
const BAND_OUTER: f64 = 440.0;
const SECTOR_SPAN_DEG: f64 = 72.0;
/// Where the first sector (family) starts, so that it sits centred at the top.
const FIRST_SECTOR_START_DEG: f64 = -90.0 - SECTOR_SPAN_DEG / 2.0;
/// Room a name label wants, in px, before it has to be staggered or shortened.
const LABEL_ROOM: f64 = 84.0;
/// The least distance between two rows of staggered persons, so a label fits between them.
const ROW_GAP: f64 = 38.0;

const INK: &str = "#1d2a33";
const MUTED: &str = "#4f5b66";
const NODE: &str = "#2b3a4a";
const ACUTE: &str = "#b3261e";
const CHILD_FILL: &str = "#1d3557";
const FONT: &str =
    "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif";

/// The sector's wedge fill and the darker fill of its name band. Light enough that every line
/// colour keeps at least 3:1 contrast against them (tested).
fn sector_fills(sector: Sector) -> (&'static str, &'static str) {
    match sector {
        Sector::Family => ("#fde6d3", "#f6c9a3"),
        Sector::Relatives => ("#fff3c7", "#f1da84"),
        Sector::FriendsNeighbours => ("#dcf1df", "#addcb6"),
        Sector::SchoolLeisure => ("#dbeaf7", "#aacdeb"),
        Sector::PublicServices => ("#ebe4f5", "#cbbde7"),
    }
}

/// How a relation's line is drawn. Pattern and width tell the qualities apart without colour;
/// the colour repeats it for those who see it.
struct TieStyle {
    colour: &'static str,
    width: f64,
    /// `None` is a solid line. Strained ties are zig-zag polylines instead (see [`draw_tie`]).
    dash: Option<&'static str>,
}

fn tie_style(quality: RelationQuality) -> TieStyle {
    match quality {
        RelationQuality::Supportive => TieStyle {
            colour: "#1e6b3a",
            width: 3.5,
            dash: None,
        },
        RelationQuality::Mixed => TieStyle {
            colour: "#8a4f00",
            width: 2.2,
            dash: Some("8 5"),
        },
        RelationQuality::Strained => TieStyle {
            colour: "#b3261e",
            width: 1.6,
            dash: None,
        },
    }
}

/// Draws the map. The result is a complete SVG document with no scripts and no external
/// resources, so it can be served as `image/svg+xml`, embedded with `<img>` or archived as is.
pub fn render(map: &EcoMap, lang: Lang) -> String {
    let placed = layout(&map.persons);
    let mut svg = String::with_capacity(24_000 + 1_200 * placed.len());
    let title = format!(
        "{} {} – {}, {}",
        tr(lang, "ecomap.title"),
        map.child_label.trim(),
        map.revision_label.trim(),
        time::date(map.revision_date, lang)
    );
    svg.push_str(&format!(
        concat!(
            r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1000 1100" role="img" "#,
            r#"aria-labelledby="ecomap-title ecomap-desc" lang="{lang}" font-family="{font}">"#,
            r#"<title id="ecomap-title">{title}</title><desc id="ecomap-desc">{desc}</desc>"#,
            r##"<rect width="1000" height="1100" fill="#ffffff"/>"##
        ),
        lang = lang.as_str(),
        font = FONT,
        title = escape(&title),
        desc = escape(&description(&map.persons, lang)),
    ));
    header(&mut svg, map, lang);
    sectors(&mut svg, lang);
    rings(&mut svg, lang);
    svg.push_str(r#"<g class="ties">"#);
    for p in &placed {
        tie(&mut svg, p);
    }
    svg.push_str("</g>");
    child(&mut svg, map, lang);
    if placed.is_empty() {
        svg.push_str(&format!(
            r#"<text x="{}" y="{}" text-anchor="middle" font-size="15" font-style="italic" fill="{MUTED}">{}</text>"#,
            num(CX),
            num(CY + CHILD_R + 48.0),
            tr(lang, "ecomap.nobody").trim_end_matches('.')
        ));
    }
    svg.push_str(r#"<g class="persons">"#);
    for p in &placed {
        person(&mut svg, p, lang);
    }
    svg.push_str("</g>");
    legend(&mut svg, lang);
    svg.push_str("</svg>\n");
    svg
}

/// The picture's own words, from the catalogue section `ecomap`.
fn tr(lang: Lang, key: &'static str) -> &'static str {
    Tr::new(lang).t(key)
}

/// The text a screen reader gives instead of the picture: how many people, how close, and who
/// can step in.
fn description(persons: &[EcoPerson], lang: Lang) -> String {
    let count = |c: Closeness| persons.iter().filter(|p| p.closeness == c).count();
    let acute = persons.iter().filter(|p| p.can_step_in_acutely).count();
    let intro = tr(lang, "ecomap.intro");
    if persons.is_empty() {
        return format!("{intro} {}", tr(lang, "ecomap.nobody"));
    }
    let (close, medium, distant) = (
        count(Closeness::Close),
        count(Closeness::Medium),
        count(Closeness::Distant),
    );
    let counts = fill(
        tr(lang, "ecomap.counts"),
        &[
            ("people", &people(persons.len(), lang)),
            ("close", &close.to_string()),
            ("medium", &medium.to_string()),
            ("distant", &distant.to_string()),
            ("acute", &acute.to_string()),
        ],
    );
    format!("{intro} {counts}")
}

fn people(n: usize, lang: Lang) -> String {
    let key = if n == 1 {
        "ecomap.one_person"
    } else {
        "ecomap.persons"
    };
    fill(tr(lang, key), &[("n", &n.to_string())])
}

fn header(svg: &mut String, map: &EcoMap, lang: Lang) {
    let acute = map.persons.iter().filter(|p| p.can_step_in_acutely).count();
    let summary = fill(
        tr(lang, "ecomap.summary"),
        &[
            ("people", &people(map.persons.len(), lang)),
            ("acute", &acute.to_string()),
        ],
    );
    svg.push_str(&format!(
        concat!(
            r#"<g class="header">"#,
            r#"<text x="40" y="52" font-size="26" font-weight="700" fill="{ink}">{title} {child}</text>"#,
            r#"<text x="40" y="80" font-size="15" fill="{muted}">{summary}</text>"#,
            r#"<text class="revision" x="960" y="52" text-anchor="end" font-size="18" font-weight="600" fill="{ink}">{revision}</text>"#,
            r#"<text class="revision-date" x="960" y="80" text-anchor="end" font-size="15" fill="{muted}">{date}</text>"#,
            "</g>"
        ),
        ink = INK,
        muted = MUTED,
        title = tr(lang, "ecomap.title"),
        child = escape(&shorten(&map.child_label, 30)),
        summary = escape(&summary),
        revision = escape(&shorten(&map.revision_label, 36)),
        date = time::date(map.revision_date, lang),
    ));
}

/// A point at `radius` from the centre, `angle` radians clockwise from east (SVG's y points down).
fn polar(radius: f64, angle: f64) -> (f64, f64) {
    (CX + radius * angle.cos(), CY + radius * angle.sin())
}

/// Start and end angle of a sector's wedge, in radians.
fn sector_angles(sector: Sector) -> (f64, f64) {
    let start = FIRST_SECTOR_START_DEG + SECTOR_SPAN_DEG * sector as usize as f64;
    (start.to_radians(), (start + SECTOR_SPAN_DEG).to_radians())
}

/// An arc path from `a0` to `a1` at `radius`, drawn backwards when `reverse`, so text set on it
/// in the lower half of the picture stands upright.
fn arc_path(radius: f64, a0: f64, a1: f64, reverse: bool) -> String {
    let (from, to, sweep) = if reverse { (a1, a0, 0) } else { (a0, a1, 1) };
    let (x0, y0) = polar(radius, from);
    let (x1, y1) = polar(radius, to);
    format!(
        "M{} {} A{r} {r} 0 0 {sweep} {} {}",
        num(x0),
        num(y0),
        num(x1),
        num(y1),
        r = num(radius)
    )
}

fn sectors(svg: &mut String, lang: Lang) {
    svg.push_str(r#"<g class="sectors">"#);
    for sector in Sector::ALL {
        let (a0, a1) = sector_angles(sector);
        let (fill, band) = sector_fills(sector);
        let (x0, y0) = polar(BAND_OUTER, a0);
        let (x1, y1) = polar(BAND_OUTER, a1);
        svg.push_str(&format!(
            r#"<path class="sector sector-{code}" d="M{cx} {cy} L{} {} A{r} {r} 0 0 1 {} {} Z" fill="{fill}"/>"#,
            num(x0),
            num(y0),
            num(x1),
            num(y1),
            code = sector.as_str(),
            cx = num(CX),
            cy = num(CY),
            r = num(BAND_OUTER),
        ));
        let inner = RING_OUTER[2];
        let (ix0, iy0) = polar(inner, a0);
        let (ix1, iy1) = polar(inner, a1);
        svg.push_str(&format!(
            r#"<path d="M{} {} L{} {} A{ro} {ro} 0 0 1 {} {} L{} {} A{ri} {ri} 0 0 0 {} {} Z" fill="{band}"/>"#,
            num(ix0),
            num(iy0),
            num(x0),
            num(y0),
            num(x1),
            num(y1),
            num(ix1),
            num(iy1),
            num(ix0),
            num(iy0),
            ro = num(BAND_OUTER),
            ri = num(inner),
        ));
        // The name follows the band's arc; in the lower half the arc runs backwards so the
        // letters stand upright, and then they hang inwards from the path instead of rising
        // outwards from it.
        let lower = ((a0 + a1) / 2.0).sin() > 0.0;
        let radius = if lower {
            BAND_OUTER - 13.5
        } else {
            inner + 12.5
        };
        svg.push_str(&format!(
            concat!(
                r#"<path id="ecomap-sector-{code}" d="{d}" fill="none"/>"#,
                r#"<text class="sector-label" font-size="15" font-weight="600" fill="{ink}" letter-spacing="0.5">"#,
                r##"<textPath href="#ecomap-sector-{code}" startOffset="50%" text-anchor="middle">{label}</textPath></text>"##
            ),
            code = sector.as_str(),
            d = arc_path(radius, a0, a1, lower),
            ink = INK,
            label = escape(sector.label(lang)),
        ));
    }
    for sector in Sector::ALL {
        let (a0, _) = sector_angles(sector);
        let (x0, y0) = polar(CHILD_R, a0);
        let (x1, y1) = polar(BAND_OUTER, a0);
        svg.push_str(&format!(
            r##"<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="#ffffff" stroke-width="4"/>"##,
            num(x0),
            num(y0),
            num(x1),
            num(y1)
        ));
    }
    svg.push_str("</g>");
}

/// The closeness rings: dashed circles, each named along its edge where the family wedge meets
/// the public services wedge.
fn rings(svg: &mut String, lang: Lang) {
    svg.push_str(r#"<g class="rings">"#);
    for outer in &RING_OUTER[..2] {
        svg.push_str(&format!(
            r##"<circle cx="{}" cy="{}" r="{}" fill="none" stroke="#7d8a96" stroke-width="1.2" stroke-dasharray="4 4"/>"##,
            num(CX),
            num(CY),
            num(*outer)
        ));
    }
    let border = FIRST_SECTOR_START_DEG.to_radians();
    for (closeness, outer) in Closeness::ALL.into_iter().zip(RING_OUTER) {
        let half = 30.0 / outer;
        svg.push_str(&format!(
            concat!(
                r#"<path id="ecomap-ring-{code}" d="{d}" fill="none"/>"#,
                r#"<text class="ring-label" font-size="11" font-style="italic" fill="{muted}">"#,
                r##"<textPath href="#ecomap-ring-{code}" startOffset="50%" text-anchor="middle">{label}</textPath></text>"##
            ),
            code = closeness.as_str(),
            d = arc_path(outer - 6.0, border - half, border + half, false),
            muted = MUTED,
            label = escape(closeness.label(lang)),
        ));
    }
    svg.push_str("</g>");
}

fn child(svg: &mut String, map: &EcoMap, lang: Lang) {
    let label = shorten(&map.child_label, 11);
    svg.push_str(&format!(
        concat!(
            r#"<g class="child"><title>{title}</title>"#,
            r##"<circle cx="{cx}" cy="{cy}" r="{r}" fill="{fill}" stroke="#ffffff" stroke-width="3"/>"##,
            r##"<text x="{cx}" y="{ty}" text-anchor="middle" font-size="{size}" font-weight="700" fill="#ffffff">{label}</text>"##,
            "</g>"
        ),
        title = escape(&format!(
            "{} {}",
            tr(lang, "ecomap.child"),
            map.child_label.trim()
        )),
        cx = num(CX),
        cy = num(CY),
        r = num(CHILD_R),
        fill = CHILD_FILL,
        ty = num(CY + 6.0),
        size = if label.chars().count() > 8 { 14 } else { 17 },
        label = escape(&label),
    ));
}

/// A person's place on the picture and how their label is set.
struct Placed<'a> {
    person: &'a EcoPerson,
    x: f64,
    y: f64,
    node_r: f64,
    label: String,
    font_size: f64,
    label_x: f64,
    baseline: f64,
    anchor: &'static str,
}

/// Places every person: grouped into cells by sector and ring, ordered within a cell by name
/// (then id, so equal names still have one order), and spread evenly across the cell; then sets
/// the labels. The order of the input does not matter, so the same map always gives the same
/// picture.
fn layout(persons: &[EcoPerson]) -> Vec<Placed<'_>> {
    let mut sorted: Vec<&EcoPerson> = persons.iter().collect();
    sorted.sort_by_cached_key(|p| {
        (
            p.category.sector(),
            p.closeness,
            p.name.to_lowercase(),
            p.name.clone(),
            p.id,
            p.category,
            p.quality,
            p.can_step_in_acutely,
            p.side,
            p.lineage,
        )
    });
    let nodes: Vec<Node> = sorted
        .chunk_by(|a, b| a.category.sector() == b.category.sector() && a.closeness == b.closeness)
        .flat_map(place_cell)
        .collect();
    set_labels(nodes)
}

/// A person's node before its label is set.
struct Node<'a> {
    person: &'a EcoPerson,
    x: f64,
    y: f64,
    node_r: f64,
    font_size: f64,
    /// The longest label the cell's crowding allows before collisions are looked at.
    max_chars: usize,
}

/// Spreads one sector's persons on one ring. When the ring is crowded they are staggered over up
/// to three radii, each row holding persons in proportion to its length, so every label gets
/// about the same room.
fn place_cell<'a>(cell: &[&'a EcoPerson]) -> Vec<Node<'a>> {
    let Some(first) = cell.first() else {
        return Vec::new();
    };
    let (a0, a1) = sector_angles(first.category.sector());
    let ring = first.closeness as usize;
    // Rows keep clear of the ring's inner edge by a node (of the child by a little more), and
    // of its outer edge by a node and a label.
    let inner = match ring {
        0 => CHILD_R + 30.0,
        _ => RING_OUTER[ring - 1] + 22.0,
    };
    let outer = RING_OUTER[ring] - if ring == 2 { 34.0 } else { 26.0 };
    // Each ring starts its persons at a different point of the wedge, so a lone person on one
    // ring is not hidden behind the line to a lone person further out.
    let phase = [0.5, 0.3, 0.7][ring];
    let mid = (inner + outer) / 2.0;
    let pad = 16.0 / mid;
    let usable = a1 - a0 - 2.0 * pad;
    let n = cell.len();
    let radii_for = |rows: usize| -> Vec<f64> {
        match rows {
            1 => vec![mid],
            _ => (0..rows)
                .map(|j| inner + (outer - inner) * j as f64 / (rows - 1) as f64)
                .collect(),
        }
    };
    let max_rows = (1 + ((outer - inner) / ROW_GAP).floor() as usize).min(3);
    let radii = (1..=max_rows)
        .map(radii_for)
        .find(|radii| usable * radii.iter().sum::<f64>() / n as f64 >= LABEL_ROOM)
        .unwrap_or_else(|| radii_for(max_rows));
    let counts = split_by_length(n, &radii);
    let room = radii
        .iter()
        .zip(&counts)
        .filter(|&(_, &count)| count > 0)
        .map(|(radius, &count)| usable * radius / count as f64)
        .fold(f64::INFINITY, f64::min);
    let font_size = if room >= 70.0 { 12.0 } else { 11.0 };
    let max_chars = ((room - 6.0) / (font_size * CHAR_WIDTH))
        .floor()
        .clamp(5.0, MAX_LABEL_CHARS as f64) as usize;
    let node_r = if room >= 26.0 {
        9.0
    } else if room >= 16.0 {
        7.5
    } else {
        6.0
    };
    let rows = radii.len();
    let mut persons = cell.iter();
    let mut nodes = Vec::with_capacity(n);
    for (row, (&radius, &count)) in radii.iter().zip(&counts).enumerate() {
        let row_phase = (phase + row as f64 / rows as f64).fract();
        for (i, &person) in persons.by_ref().take(count).enumerate() {
            let angle = a0 + pad + usable * (i as f64 + row_phase) / count as f64;
            let (x, y) = polar(radius, angle);
            nodes.push(Node {
                person,
                x,
                y,
                node_r,
                font_size,
                max_chars,
            });
        }
    }
    nodes
}

/// Average width of a character of the label font, in ems, to estimate how long a label is.
const CHAR_WIDTH: f64 = 0.58;

/// Splits `n` persons over rows in proportion to each row's radius (its length), largest
/// remainders first.
fn split_by_length(n: usize, radii: &[f64]) -> Vec<usize> {
    let total: f64 = radii.iter().sum();
    let ideal: Vec<f64> = radii.iter().map(|r| n as f64 * r / total).collect();
    let mut counts: Vec<usize> = ideal.iter().map(|x| x.floor() as usize).collect();
    let mut by_remainder: Vec<usize> = (0..radii.len()).collect();
    by_remainder.sort_by(|&a, &b| {
        (ideal[b] - ideal[b].floor())
            .total_cmp(&(ideal[a] - ideal[a].floor()))
            .then(b.cmp(&a))
    });
    let missing = n.saturating_sub(counts.iter().sum::<usize>());
    for &row in by_remainder.iter().take(missing) {
        counts[row] += 1;
    }
    counts
}

/// An axis-aligned box on the picture.
#[derive(Debug, Clone, Copy)]
struct Rect {
    left: f64,
    top: f64,
    right: f64,
    bottom: f64,
}

impl Rect {
    fn around(x: f64, y: f64, half_width: f64, half_height: f64) -> Self {
        Rect {
            left: x - half_width,
            top: y - half_height,
            right: x + half_width,
            bottom: y + half_height,
        }
    }

    fn overlap(&self, other: &Rect) -> f64 {
        let width = self.right.min(other.right) - self.left.max(other.left);
        let height = self.bottom.min(other.bottom) - self.top.max(other.top);
        width.max(0.0) * height.max(0.0)
    }

    /// Inside the rings, clear of the child and of the band with the sector names.
    fn fits_in_rings(&self) -> bool {
        let farthest = [self.left, self.right]
            .into_iter()
            .flat_map(|x| [self.top, self.bottom].map(|y| (x - CX).hypot(y - CY)))
            .fold(0.0, f64::max);
        let nearest =
            (CX.clamp(self.left, self.right) - CX).hypot(CY.clamp(self.top, self.bottom) - CY);
        farthest <= RING_OUTER[2] - 2.0 && nearest >= CHILD_R + 3.0
    }
}

/// What a label must not cover: every node but its own, every acute mark (its own too) and the
/// ring names. Each comes with the index of the node it belongs to, if any.
fn obstacles(nodes: &[Node]) -> Vec<(Option<usize>, Rect)> {
    let mut rects = Vec::with_capacity(nodes.len() * 2 + RING_OUTER.len());
    for (index, node) in nodes.iter().enumerate() {
        let reach = node.node_r + 2.0;
        rects.push((Some(index), Rect::around(node.x, node.y, reach, reach)));
        if node.person.can_step_in_acutely {
            let (mx, my) = acute_mark_centre(node.x, node.y, node.node_r);
            rects.push((None, Rect::around(mx, my, 8.5, 8.5)));
        }
    }
    let border = FIRST_SECTOR_START_DEG.to_radians();
    for outer in RING_OUTER {
        let (x, y) = polar(outer - 10.0, border);
        rects.push((None, Rect::around(x, y, 24.0, 10.0)));
    }
    rects
}

/// Where the acute mark sits: on the node's upper right edge.
fn acute_mark_centre(x: f64, y: f64, node_r: f64) -> (f64, f64) {
    (x + node_r * 0.8, y - node_r * 0.8)
}

/// Sets each label next to its node where it covers no node and no other label: first at the
/// length the cell's crowding allows, trying the places in [`label_spots`] order and then shorter
/// forms of the name, or else the place that covers least; then every shortened name is given
/// back as much of its length as fits where nothing is in the way. Labels stay inside the
/// rings, so the sector names stay readable.
fn set_labels(nodes: Vec<Node>) -> Vec<Placed> {
    let blocked = obstacles(&nodes);
    let cost = |index: usize, rect: &Rect, labels: &[Rect]| -> f64 {
        blocked
            .iter()
            .filter(|&&(owner, _)| owner != Some(index))
            .map(|(_, b)| b.overlap(rect))
            .chain(
                labels
                    .iter()
                    .enumerate()
                    .filter(|&(other, _)| other != index)
                    .map(|(_, l)| l.overlap(rect)),
            )
            .sum()
    };
    let mut labels: Vec<Rect> = Vec::with_capacity(nodes.len());
    let mut chosen: Vec<(String, Spot)> = Vec::with_capacity(nodes.len());
    for (index, node) in nodes.iter().enumerate() {
        let mut best: Option<(f64, String, Spot)> = None;
        'search: for chars in label_lengths(&node.person.name, node.max_chars) {
            let text = shorten(&node.person.name, chars);
            for spot in label_spots(node, label_width(&text, node.font_size)) {
                if !spot.rect.fits_in_rings() {
                    continue;
                }
                let c = cost(index, &spot.rect, &labels);
                if best.as_ref().is_none_or(|(least, _, _)| c < *least) {
                    best = Some((c, text.clone(), spot));
                }
                if c == 0.0 {
                    break 'search;
                }
            }
        }
        let (label, spot) = match best {
            Some((_, label, spot)) => (label, spot),
            None => {
                let label = shorten(&node.person.name, node.max_chars);
                let spot = label_spots(node, label_width(&label, node.font_size)).swap_remove(0);
                (label, spot)
            }
        };
        labels.push(spot.rect);
        chosen.push((label, spot));
    }
    for (index, node) in nodes.iter().enumerate() {
        let shown = chosen[index].0.chars().count();
        let full = node.person.name.trim().chars().count().min(MAX_LABEL_CHARS);
        let longer = (shown + 1..=full).rev().find_map(|chars| {
            let text = shorten(&node.person.name, chars);
            label_spots(node, label_width(&text, node.font_size))
                .into_iter()
                .filter(|spot| spot.rect.fits_in_rings())
                .find(|spot| cost(index, &spot.rect, &labels) == 0.0)
                .map(|spot| (text, spot))
        });
        if let Some((text, spot)) = longer {
            labels[index] = spot.rect;
            chosen[index] = (text, spot);
        }
    }
    nodes
        .into_iter()
        .zip(chosen)
        .map(|(node, (label, spot))| Placed {
            person: node.person,
            x: node.x,
            y: node.y,
            node_r: node.node_r,
            label,
            font_size: node.font_size,
            label_x: spot.x,
            baseline: spot.baseline,
            anchor: spot.anchor,
        })
        .collect()
}

/// The longest label shown; longer names are shortened even where there is room.
const MAX_LABEL_CHARS: usize = 24;

fn label_width(text: &str, font_size: f64) -> f64 {
    text.chars().count() as f64 * font_size * CHAR_WIDTH
}

/// The lengths to try a name at: what the crowding allows, then shorter.
fn label_lengths(name: &str, max_chars: usize) -> Vec<usize> {
    let full = name.trim().chars().count().min(max_chars);
    let mut lengths = vec![full, full * 3 / 4, full / 2, 5];
    lengths.retain(|&l| l >= 5 || l == full);
    lengths.dedup();
    lengths
}

/// One place a label can go.
struct Spot {
    x: f64,
    baseline: f64,
    anchor: &'static str,
    rect: Rect,
}

/// The places a label can go, best first: on the outer side of the node (above it in the upper
/// part of the picture, below it elsewhere), where it does not lie across the node's own line to
/// the child; then beside it, and last on the inner side.
fn label_spots(node: &Node, width: f64) -> Vec<Spot> {
    let (x, y, r, f) = (node.x, node.y, node.node_r, node.font_size);
    let above = if node.person.can_step_in_acutely {
        y - r - 13.0
    } else {
        y - r - 5.0
    };
    let below = y + r + f + 1.0;
    let level = y + f * 0.35;
    let (outer_v, inner_v) = if y < CY - CHILD_R {
        (above, below)
    } else {
        (below, above)
    };
    let right_side = x >= CX;
    let spot = |lx: f64, baseline: f64, anchor: &'static str| {
        let left = match anchor {
            "start" => lx,
            "end" => lx - width,
            _ => lx - width / 2.0,
        };
        Spot {
            x: lx,
            baseline,
            anchor,
            rect: Rect {
                left: left - 2.0,
                top: baseline - f * 0.8 - 1.5,
                right: left + width + 2.0,
                bottom: baseline + f * 0.25 + 1.5,
            },
        }
    };
    let (out_anchor, in_anchor) = if right_side {
        ("start", "end")
    } else {
        ("end", "start")
    };
    let (out_x, in_x) = if right_side {
        (x + r + 4.0, x - r - 4.0)
    } else {
        (x - r - 4.0, x + r + 4.0)
    };
    let (hang_out_x, hang_in_x) = if right_side {
        (x - r, x + r)
    } else {
        (x + r, x - r)
    };
    vec![
        spot(x, outer_v, "middle"),
        spot(hang_out_x, outer_v, out_anchor),
        spot(hang_in_x, outer_v, in_anchor),
        spot(out_x, level, out_anchor),
        spot(in_x, level, in_anchor),
        spot(x, inner_v, "middle"),
        spot(hang_out_x, inner_v, out_anchor),
        spot(hang_in_x, inner_v, in_anchor),
    ]
}

/// The line from the child to a person, from the edge of one circle to the edge of the other.
fn tie(svg: &mut String, p: &Placed) {
    let (dx, dy) = (p.x - CX, p.y - CY);
    let length = dx.hypot(dy);
    let (ux, uy) = (dx / length, dy / length);
    let from = (CX + ux * (CHILD_R + 2.0), CY + uy * (CHILD_R + 2.0));
    let to = (p.x - ux * (p.node_r + 2.0), p.y - uy * (p.node_r + 2.0));
    let quality = p.person.quality;
    let attributes = format!(
        r#"class="tie tie-{}" data-person="p-{}""#,
        quality.as_str(),
        p.person.id
    );
    draw_tie(svg, quality, &attributes, from, to);
}

/// A relation's line between two points in its quality's style: a solid or dashed `<line>`, or
/// for a strained relation a zig-zag `<polyline>`, 3.5 px either side with a corner every 8 px.
fn draw_tie(
    svg: &mut String,
    quality: RelationQuality,
    attributes: &str,
    (x0, y0): (f64, f64),
    (x1, y1): (f64, f64),
) {
    let style = tie_style(quality);
    let stroke = format!(
        r#"fill="none" stroke="{}" stroke-width="{}" stroke-linecap="round" stroke-linejoin="round""#,
        style.colour,
        num(style.width)
    );
    if quality == RelationQuality::Strained {
        let run = (x1 - x0).hypot(y1 - y0);
        let (ux, uy) = ((x1 - x0) / run, (y1 - y0) / run);
        let corners = ((run / 8.0).round() as usize).max(2);
        let points: Vec<String> = (0..=corners)
            .map(|k| {
                let t = run * k as f64 / corners as f64;
                let side = match k {
                    0 => 0.0,
                    k if k == corners => 0.0,
                    k if k % 2 == 1 => 3.5,
                    _ => -3.5,
                };
                format!(
                    "{},{}",
                    num(x0 + ux * t - uy * side),
                    num(y0 + uy * t + ux * side)
                )
            })
            .collect();
        svg.push_str(&format!(
            r#"<polyline {attributes} {stroke} points="{}"/>"#,
            points.join(" ")
        ));
    } else {
        let dash = style
            .dash
            .map(|d| format!(r#" stroke-dasharray="{d}""#))
            .unwrap_or_default();
        svg.push_str(&format!(
            r#"<line {attributes} {stroke}{dash} x1="{}" y1="{}" x2="{}" y2="{}"/>"#,
            num(x0),
            num(y0),
            num(x1),
            num(y1)
        ));
    }
}

/// A person's node: circle, name label and, if they can step in acutely, the mark. The group
/// carries the person's id and codes as classes, and the full description as a tooltip.
fn person(svg: &mut String, p: &Placed, lang: Lang) {
    let person = p.person;
    let mut facts = vec![
        person.category.label(lang),
        person.side.label(lang),
        person.closeness.label(lang),
        person.quality.label(lang),
    ];
    if person.lineage != Lineage::NotApplicable {
        facts.insert(1, person.lineage.label(lang));
    }
    if person.can_step_in_acutely {
        facts.push(acute_text(lang));
    }
    let tooltip = format!("{} – {}", person.name.trim(), facts.join(" · "));
    let (fill, stroke, stroke_width) = match person.side {
        NetworkSide::Private => (NODE, "#ffffff", 2.0),
        NetworkSide::Public => ("#ffffff", NODE, 2.5),
    };
    let halo = sector_fills(person.category.sector()).0;
    svg.push_str(&format!(
        concat!(
            r#"<g id="p-{id}" class="person closeness-{closeness} quality-{quality}">"#,
            "<title>{tooltip}</title>",
            r#"<circle class="node" cx="{x}" cy="{y}" r="{r}" fill="{fill}" stroke="{stroke}" stroke-width="{sw}"/>"#,
            r#"<text class="name" x="{lx}" y="{ty}" text-anchor="{anchor}" font-size="{size}" fill="{ink}" "#,
            r#"stroke="{halo}" stroke-width="3" stroke-linejoin="round" paint-order="stroke">{label}</text>"#,
        ),
        id = person.id,
        closeness = person.closeness.as_str(),
        quality = person.quality.as_str(),
        tooltip = escape(&tooltip),
        x = num(p.x),
        y = num(p.y),
        r = num(p.node_r),
        fill = fill,
        stroke = stroke,
        sw = num(stroke_width),
        lx = num(p.label_x),
        ty = num(p.baseline),
        anchor = p.anchor,
        size = num(p.font_size),
        ink = INK,
        halo = halo,
        label = escape(&p.label),
    ));
    if person.can_step_in_acutely {
        let (mx, my) = acute_mark_centre(p.x, p.y, p.node_r);
        acute_mark(svg, "acute-mark", mx, my);
    }
    svg.push_str("</g>");
}

fn acute_text(lang: Lang) -> &'static str {
    tr(lang, "ecomap.acute")
}

/// A red badge with a white "!": the shape says it without colour.
fn acute_mark(svg: &mut String, class: &str, x: f64, y: f64) {
    svg.push_str(&format!(
        concat!(
            r#"<g class="{class}">"#,
            r##"<circle cx="{x}" cy="{y}" r="7" fill="{acute}" stroke="#ffffff" stroke-width="1.5"/>"##,
            r##"<text x="{x}" y="{ty}" text-anchor="middle" font-size="11" font-weight="700" fill="#ffffff">!</text>"##,
            "</g>"
        ),
        class = class,
        x = num(x),
        y = num(y),
        ty = num(y + 4.0),
        acute = ACUTE,
    ));
}

fn legend(svg: &mut String, lang: Lang) {
    svg.push_str(&format!(
        concat!(
            r#"<g class="legend">"#,
            r##"<rect x="30" y="978" width="940" height="110" rx="10" fill="#f5f7f9" stroke="#d3d9df"/>"##,
            r#"<text x="50" y="1001" font-size="14" font-weight="700" fill="{ink}">{title}</text>"#,
        ),
        ink = INK,
        title = tr(lang, "ecomap.key"),
    ));
    let rows = [1026.0, 1050.0, 1074.0];
    for (quality, y) in RelationQuality::ALL.into_iter().zip(rows) {
        let attributes = format!(r#"class="legend-tie legend-tie-{}""#, quality.as_str());
        draw_tie(svg, quality, &attributes, (50.0, y - 4.0), (118.0, y - 4.0));
        svg.push_str(&format!(
            r#"<text x="128" y="{}" font-size="13" fill="{INK}">{}</text>"#,
            num(y),
            escape(&fill(
                tr(lang, "ecomap.relation"),
                &[("quality", quality.label(lang))]
            ))
        ));
    }
    let nodes = [
        (NODE, "#ffffff", tr(lang, "ecomap.private")),
        ("#ffffff", NODE, tr(lang, "ecomap.public")),
    ];
    for ((fill, stroke, text), y) in nodes.into_iter().zip(rows) {
        svg.push_str(&format!(
            concat!(
                r#"<circle cx="352" cy="{cy}" r="9" fill="{fill}" stroke="{stroke}" stroke-width="2.5"/>"#,
                r#"<text x="372" y="{y}" font-size="13" fill="{ink}">{text}</text>"#,
            ),
            cy = num(y - 4.0),
            y = num(y),
            fill = fill,
            stroke = stroke,
            ink = INK,
            text = text,
        ));
    }
    svg.push_str(&format!(
        r##"<circle cx="352" cy="{}" r="9" fill="{NODE}" stroke="#ffffff" stroke-width="2"/>"##,
        num(rows[2] - 4.0)
    ));
    acute_mark(svg, "legend-acute-mark", 359.2, rows[2] - 11.2);
    svg.push_str(&format!(
        r#"<text x="372" y="{}" font-size="13" fill="{INK}">{}</text>"#,
        num(rows[2]),
        acute_text(lang)
    ));
    for radius in [7.0, 14.0, 21.0] {
        svg.push_str(&format!(
            r##"<circle cx="650" cy="1046" r="{}" fill="none" stroke="#7d8a96" stroke-width="1.2"/>"##,
            num(radius)
        ));
    }
    svg.push_str(r##"<circle cx="650" cy="1046" r="4" fill="#1d3557"/>"##);
    let ring_texts = [
        tr(lang, "ecomap.ring_inner"),
        tr(lang, "ecomap.ring_middle"),
        tr(lang, "ecomap.ring_outer"),
    ];
    for (text, y) in ring_texts.into_iter().zip(rows) {
        svg.push_str(&format!(
            r#"<text x="690" y="{}" font-size="13" fill="{INK}">{}</text>"#,
            num(y),
            text
        ));
    }
    svg.push_str("</g>");
}

/// A name cut to `max_chars` characters with an ellipsis, so a crowded ring stays readable.
fn shorten(name: &str, max_chars: usize) -> String {
    let name = name.trim();
    if name.chars().count() <= max_chars {
        return name.to_owned();
    }
    let kept: String = name.chars().take(max_chars.saturating_sub(1)).collect();
    format!("{}…", kept.trim_end())
}

/// A number for an SVG attribute: at most one decimal, no trailing ".0", never "-0".
fn num(value: f64) -> String {
    let tenths = (value * 10.0).round();
    if tenths == 0.0 {
        "0".to_owned()
    } else if tenths % 10.0 == 0.0 {
        format!("{}", tenths / 10.0)
    } else {
        format!("{:.1}", tenths / 10.0)
    }
}

/// Text made safe for XML content and attribute values. Characters XML 1.0 forbids (most
/// control characters) become U+FFFD, so no name can make the document ill-formed.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeSet, HashSet};

    use roxmltree::{Document, Node as XmlNode};

    use super::*;

    fn someone(
        n: u128,
        name: &str,
        category: RelationCategory,
        closeness: Closeness,
        quality: RelationQuality,
        acute: bool,
    ) -> EcoPerson {
        EcoPerson {
            id: Uuid::from_u128(0x5eed_0000 + n),
            name: name.to_owned(),
            category,
            closeness,
            quality,
            can_step_in_acutely: acute,
            side: category.default_side(),
            lineage: Lineage::ALL[n as usize % Lineage::ALL.len()],
        }
    }

    /// `n` persons spread over every category, ring and quality, as a full map would be; some
    /// names are long enough to need shortening.
    fn network(n: usize) -> Vec<EcoPerson> {
        (0..n)
            .map(|i| {
                let category = RelationCategory::ALL[i % RelationCategory::ALL.len()];
                let name = match i % 5 {
                    0 => format!("Solveig Kristiansen-Haugland {i}"),
                    1 => format!("Åse Ødegård {i}"),
                    _ => format!("Person {i}"),
                };
                someone(
                    i as u128,
                    &name,
                    category,
                    Closeness::ALL[(i + i / 7) % 3],
                    RelationQuality::ALL[(i / 2) % 3],
                    i % 4 == 1,
                )
            })
            .collect()
    }

    fn map_of(persons: Vec<EcoPerson>) -> EcoMap {
        EcoMap {
            child_label: "Emma".to_owned(),
            revision_label: "Revisjon 3".to_owned(),
            revision_date: NaiveDate::from_ymd_opt(2025, 3, 12).unwrap(),
            persons,
        }
    }

    fn parse(svg: &str) -> Document<'_> {
        Document::parse(svg).unwrap_or_else(|e| panic!("not well-formed XML: {e}\n{svg}"))
    }

    fn has_class(node: &XmlNode, class: &str) -> bool {
        node.attribute("class")
            .is_some_and(|c| c.split_whitespace().any(|c| c == class))
    }

    fn person_groups<'a>(doc: &'a Document) -> Vec<XmlNode<'a, 'a>> {
        doc.descendants()
            .filter(|n| n.has_tag_name("g") && has_class(n, "person"))
            .collect()
    }

    fn child_element<'a>(node: &XmlNode<'a, 'a>, tag: &str) -> XmlNode<'a, 'a> {
        node.children()
            .find(|c| c.has_tag_name(tag))
            .unwrap_or_else(|| panic!("no <{tag}> in {:?}", node.attribute("id")))
    }

    fn number(node: &XmlNode, attribute: &str) -> f64 {
        node.attribute(attribute)
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| panic!("{attribute} is not a number on {node:?}"))
    }

    #[test]
    fn the_picture_is_a_well_formed_standalone_svg_at_any_size() {
        for n in [0, 1, 10, 60] {
            for lang in Lang::ALL {
                let svg = render(&map_of(network(n)), lang);
                let doc = parse(&svg);
                let root = doc.root_element();
                assert!(root.has_tag_name(("http://www.w3.org/2000/svg", "svg")));
                assert_eq!(root.attribute("viewBox"), Some("0 0 1000 1100"));
                assert_eq!(root.attribute("role"), Some("img"));
                let labelled_by = root.attribute("aria-labelledby").unwrap();
                for id in labelled_by.split_whitespace() {
                    let target = doc
                        .descendants()
                        .find(|n| n.attribute("id") == Some(id))
                        .unwrap_or_else(|| panic!("aria-labelledby names {id}, which is missing"));
                    assert!(target.has_tag_name("title") || target.has_tag_name("desc"));
                    assert!(!target.text().unwrap_or_default().is_empty());
                }
                assert_eq!(
                    root.first_element_child().map(|t| t.tag_name().name()),
                    Some("title")
                );
                assert_eq!(person_groups(&doc).len(), n);

                // Nothing runs and nothing is fetched: no scripts, no event handlers, and every
                // reference points inside the document.
                for node in doc.descendants().filter(|n| n.is_element()) {
                    let tag = node.tag_name().name();
                    assert!(
                        !["script", "image", "foreignObject", "use", "a"].contains(&tag),
                        "<{tag}>"
                    );
                    for attribute in node.attributes() {
                        assert!(!attribute.name().starts_with("on"), "{}", attribute.name());
                        if attribute.name() == "href" {
                            assert!(attribute.value().starts_with('#'), "{}", attribute.value());
                        }
                        let value = attribute.value();
                        assert!(!value.contains("url("), "{value}");
                        // Numbers carry at most one decimal.
                        for (i, _) in value.match_indices('.') {
                            let decimals = value[i + 1..]
                                .chars()
                                .take_while(char::is_ascii_digit)
                                .count();
                            assert!(decimals <= 1, "{}={value}", attribute.name());
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn every_person_appears_once_with_their_id_codes_line_and_full_name() {
        let persons = network(60);
        let svg = render(&map_of(persons.clone()), Lang::Nb);
        let doc = parse(&svg);
        for person in &persons {
            let id = format!("p-{}", person.id);
            assert_eq!(svg.matches(&format!(r#"id="{id}""#)).count(), 1, "{id}");
            let group = doc
                .descendants()
                .find(|n| n.attribute("id") == Some(id.as_str()))
                .unwrap();
            assert_eq!(
                group.attribute("class"),
                Some(
                    format!(
                        "person closeness-{} quality-{}",
                        person.closeness.as_str(),
                        person.quality.as_str()
                    )
                    .as_str()
                )
            );
            let tooltip = child_element(&group, "title").text().unwrap();
            assert!(tooltip.starts_with(&person.name), "{tooltip}");
            assert!(
                tooltip.contains(person.category.label(Lang::Nb)),
                "{tooltip}"
            );
            let shown = group
                .children()
                .find(|c| c.has_tag_name("text") && has_class(c, "name"))
                .and_then(|t| t.text())
                .unwrap();
            match shown.strip_suffix('…') {
                Some(start) => assert!(person.name.starts_with(start), "{shown}"),
                None => assert_eq!(shown, person.name),
            }
            let ties: Vec<_> = doc
                .descendants()
                .filter(|n| n.attribute("data-person") == Some(id.as_str()))
                .collect();
            assert_eq!(ties.len(), 1, "{id} has one line");
            assert!(has_class(
                &ties[0],
                &format!("tie-{}", person.quality.as_str())
            ));
        }
    }

    #[test]
    fn long_names_are_shortened_with_an_ellipsis_when_crowded() {
        let long = "Solveig Kristiansen-Haugland Bergersen";
        let persons: Vec<_> = (0..12)
            .map(|i| {
                someone(
                    i,
                    &format!("{long} {i}"),
                    RelationCategory::NearFamily,
                    Closeness::Close,
                    RelationQuality::Supportive,
                    false,
                )
            })
            .collect();
        let svg = render(&map_of(persons), Lang::Nb);
        let doc = parse(&svg);
        for group in person_groups(&doc) {
            let shown = group
                .children()
                .find(|c| has_class(c, "name"))
                .and_then(|t| t.text())
                .unwrap();
            assert!(shown.ends_with('…'), "{shown}");
            assert!(shown.chars().count() < long.len(), "{shown}");
            assert!(
                child_element(&group, "title")
                    .text()
                    .unwrap()
                    .starts_with(long)
            );
        }
    }

    #[test]
    fn names_and_labels_from_outside_are_escaped() {
        let tricky = [
            r#"<script>alert("x")</script>"#,
            "Tom & Jerry's \"crew\" > 2",
            "Mormor Æsa Ødegård Ås 🌻👨‍👩‍👧",
            "Bell\u{7}ringer",
        ];
        let persons: Vec<_> = tricky
            .iter()
            .zip(0..)
            .map(|(name, i)| {
                someone(
                    i,
                    name,
                    RelationCategory::ALL[i as usize * 5],
                    Closeness::Medium,
                    RelationQuality::Mixed,
                    true,
                )
            })
            .collect();
        let mut map = map_of(persons);
        map.child_label = "<b>Ola</b> & Kari".to_owned();
        map.revision_label = "Rev <3> & \"final\"".to_owned();
        for lang in Lang::ALL {
            let svg = render(&map, lang);
            assert!(!svg.contains("<script"), "raw <script in output");
            assert!(!svg.contains("<b>"));
            assert!(
                !svg.contains('\u{7}'),
                "a control character would break XML"
            );
            let doc = parse(&svg);
            let tooltips: Vec<&str> = person_groups(&doc)
                .iter()
                .map(|g| child_element(g, "title").text().unwrap())
                .collect();
            for name in &tricky[..3] {
                assert!(
                    tooltips.iter().any(|t| t.starts_with(name)),
                    "{name} survives the round trip"
                );
            }
            assert!(tooltips.iter().any(|t| t.starts_with("Bell\u{FFFD}ringer")));
            let texts: Vec<&str> = doc.descendants().filter_map(|n| n.text()).collect();
            assert!(texts.contains(&"Rev <3> & \"final\""));
            assert!(texts.iter().any(|t| t.contains("<b>Ola</b> & Kari")));
        }
    }

    #[test]
    fn the_acute_mark_is_on_exactly_the_persons_who_can_step_in() {
        let persons = network(60);
        let acute: BTreeSet<String> = persons
            .iter()
            .filter(|p| p.can_step_in_acutely)
            .map(|p| format!("p-{}", p.id))
            .collect();
        assert!(!acute.is_empty() && acute.len() < persons.len());
        let svg = render(&map_of(persons), Lang::Nb);
        let doc = parse(&svg);
        let marked: BTreeSet<String> = doc
            .descendants()
            .filter(|n| has_class(n, "acute-mark"))
            .map(|mark| {
                let group = mark
                    .ancestors()
                    .find(|a| has_class(a, "person"))
                    .expect("a mark belongs to a person");
                group.attribute("id").unwrap().to_owned()
            })
            .collect();
        assert_eq!(marked, acute);
        assert_eq!(
            svg.matches(r#"class="acute-mark""#).count(),
            acute.len(),
            "one mark each"
        );
        for group in person_groups(&doc) {
            let id = group.attribute("id").unwrap();
            let tooltip = child_element(&group, "title").text().unwrap();
            assert_eq!(
                tooltip.contains("Kan stille opp akutt"),
                acute.contains(id),
                "{tooltip}"
            );
        }
    }

    #[test]
    fn the_legend_and_the_revision_are_on_the_picture() {
        let map = map_of(network(10));
        for (lang, date, expected) in [
            (
                Lang::Nb,
                "12.03.2025",
                [
                    "Forklaring",
                    "Støttende relasjon",
                    "Blandet relasjon",
                    "Anstrengt relasjon",
                    "Kan stille opp akutt",
                    "Indre ring: nær",
                    "Midtre ring: middels",
                    "Ytre ring: fjern",
                ],
            ),
            (
                Lang::Nn,
                "12.03.2025",
                [
                    "Forklaring",
                    "Støttande relasjon",
                    "Blanda relasjon",
                    "Anstrengd relasjon",
                    "Kan stille opp akutt",
                    "Indre ring: nær",
                    "Midtre ring: middels",
                    "Ytre ring: fjern",
                ],
            ),
            (
                Lang::En,
                "2025-03-12",
                [
                    "Key",
                    "Supportive relation",
                    "Mixed relation",
                    "Strained relation",
                    "Can step in at short notice",
                    "Inner ring: close",
                    "Middle ring: medium",
                    "Outer ring: distant",
                ],
            ),
        ] {
            let svg = render(&map, lang);
            let doc = parse(&svg);
            let legend = doc
                .descendants()
                .find(|n| has_class(n, "legend"))
                .expect("a legend");
            let legend_texts: Vec<&str> = legend.descendants().filter_map(|n| n.text()).collect();
            for text in expected {
                assert!(
                    legend_texts.contains(&text),
                    "{lang}: {text} in {legend_texts:?}"
                );
            }
            assert_eq!(
                legend
                    .descendants()
                    .filter(|n| has_class(n, "legend-acute-mark"))
                    .count(),
                1
            );
            let text_of = |class: &str| {
                doc.descendants()
                    .find(|n| has_class(n, class))
                    .and_then(|n| n.text())
                    .unwrap_or_default()
            };
            assert_eq!(text_of("revision"), "Revisjon 3");
            assert_eq!(text_of("revision-date"), date);
            let title = doc.root_element().first_element_child().unwrap();
            assert!(title.text().unwrap().contains(date));
            for sector in Sector::ALL {
                let label = doc
                    .descendants()
                    .find(|n| n.attribute("href") == Some(&*format!("#ecomap-sector-{sector}")))
                    .and_then(|n| n.text());
                assert_eq!(label, Some(sector.label(lang)));
            }
        }
    }

    #[test]
    fn each_relation_quality_has_its_own_line_style() {
        let persons: Vec<_> = RelationQuality::ALL
            .into_iter()
            .zip(0..)
            .map(|(quality, i)| {
                someone(
                    i,
                    quality.as_str(),
                    RelationCategory::FamilyFriend,
                    Closeness::Medium,
                    quality,
                    false,
                )
            })
            .collect();
        let svg = render(&map_of(persons), Lang::Nb);
        let doc = parse(&svg);
        let style_of = |class: &str| {
            let line = doc
                .descendants()
                .find(|n| has_class(n, class))
                .unwrap_or_else(|| panic!("no {class}"));
            (
                line.tag_name().name().to_owned(),
                line.attribute("stroke-dasharray").map(str::to_owned),
                line.attribute("stroke-width").unwrap().to_owned(),
                line.attribute("stroke").unwrap().to_owned(),
                line.attribute("points").map(|p| p.split(' ').count()),
            )
        };
        for prefix in ["tie-", "legend-tie-"] {
            let supportive = style_of(&format!("{prefix}supportive"));
            let mixed = style_of(&format!("{prefix}mixed"));
            let strained = style_of(&format!("{prefix}strained"));
            assert_eq!(
                (supportive.0.as_str(), supportive.1.as_deref()),
                ("line", None)
            );
            assert_eq!(mixed.0, "line");
            assert!(mixed.1.is_some(), "mixed is dashed");
            assert_eq!(strained.0, "polyline");
            assert!(strained.4.unwrap() >= 5, "strained zig-zags");
            let width = |s: &(String, Option<String>, String, String, Option<usize>)| {
                s.2.parse::<f64>().unwrap()
            };
            assert!(width(&supportive) > width(&mixed) && width(&mixed) > width(&strained));
            let colours: HashSet<_> = [&supportive.3, &mixed.3, &strained.3].into();
            assert_eq!(colours.len(), 3, "the colour repeats the difference");
        }
    }

    /// WCAG relative luminance of a `#rrggbb` colour.
    fn luminance(hex: &str) -> f64 {
        let channel = |i: usize| {
            let c = f64::from(u8::from_str_radix(&hex[i..i + 2], 16).unwrap()) / 255.0;
            if c <= 0.03928 {
                c / 12.92
            } else {
                ((c + 0.055) / 1.055).powf(2.4)
            }
        };
        0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5)
    }

    fn contrast(a: &str, b: &str) -> f64 {
        let (la, lb) = (luminance(a), luminance(b));
        (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
    }

    #[test]
    fn line_colours_keep_three_to_one_contrast_against_every_background() {
        for quality in RelationQuality::ALL {
            let colour = tie_style(quality).colour;
            let backgrounds = Sector::ALL
                .into_iter()
                .map(|s| sector_fills(s).0)
                .chain(["#ffffff", "#f5f7f9"]);
            for background in backgrounds {
                let ratio = contrast(colour, background);
                assert!(ratio >= 3.0, "{quality} on {background}: {ratio:.2}");
            }
        }
        for (fill, _) in Sector::ALL.map(sector_fills) {
            assert!(contrast(INK, fill) >= 4.5, "label text on {fill}");
        }
    }

    fn node_centres(svg: &str) -> Vec<(f64, f64)> {
        let doc = parse(svg);
        person_groups(&doc)
            .iter()
            .map(|group| {
                let node = group
                    .children()
                    .find(|c| c.has_tag_name("circle") && has_class(c, "node"))
                    .unwrap();
                (number(&node, "cx"), number(&node, "cy"))
            })
            .collect()
    }

    fn closest_pair(centres: &[(f64, f64)]) -> f64 {
        let mut least = f64::INFINITY;
        for (i, a) in centres.iter().enumerate() {
            for b in &centres[i + 1..] {
                least = least.min((a.0 - b.0).hypot(a.1 - b.1));
            }
        }
        least
    }

    #[test]
    fn sixty_persons_never_share_a_place() {
        let centres = node_centres(&render(&map_of(network(60)), Lang::Nb));
        assert_eq!(centres.len(), 60);
        let least = closest_pair(&centres);
        assert!(least >= 18.0, "two nodes only {least:.1} px apart");
        for (x, y) in &centres {
            let r = (x - CX).hypot(y - CY);
            assert!(
                r > CHILD_R && r < RING_OUTER[2],
                "({x}, {y}) is inside the rings"
            );
        }

        // Even when all sixty are in one sector on one ring, each keeps a place of its own.
        let crowd: Vec<_> = (0..60)
            .map(|i| {
                someone(
                    i,
                    &format!("Søsken {i}"),
                    RelationCategory::NearFamily,
                    Closeness::Close,
                    RelationQuality::Supportive,
                    i % 3 == 0,
                )
            })
            .collect();
        let centres = node_centres(&render(&map_of(crowd), Lang::Nb));
        assert!(closest_pair(&centres) >= 4.0);
    }

    #[test]
    fn persons_are_drawn_in_their_sector_and_ring() {
        let persons = network(60);
        let svg = render(&map_of(persons.clone()), Lang::Nb);
        let doc = parse(&svg);
        for person in &persons {
            let group = doc
                .descendants()
                .find(|n| n.attribute("id") == Some(&*format!("p-{}", person.id)))
                .unwrap();
            let node = child_element(&group, "circle");
            let (dx, dy) = (number(&node, "cx") - CX, number(&node, "cy") - CY);
            let ring = person.closeness as usize;
            let inner = if ring == 0 {
                CHILD_R
            } else {
                RING_OUTER[ring - 1]
            };
            let radius = dx.hypot(dy);
            assert!(
                radius > inner && radius < RING_OUTER[ring],
                "{}",
                person.name
            );
            let (a0, a1) = sector_angles(person.category.sector());
            let mut angle = dy.atan2(dx);
            while angle < a0 {
                angle += 2.0 * std::f64::consts::PI;
            }
            assert!(
                angle < a1,
                "{} is in {}",
                person.name,
                person.category.sector()
            );
        }
    }

    #[test]
    fn the_same_map_always_gives_the_same_picture() {
        let persons = network(60);
        let first = render(&map_of(persons.clone()), Lang::Nb);
        assert_eq!(first, render(&map_of(persons.clone()), Lang::Nb));
        let mut reversed = persons.clone();
        reversed.reverse();
        assert_eq!(first, render(&map_of(reversed), Lang::Nb));
        let mut rotated = persons;
        rotated.rotate_left(17);
        assert_eq!(first, render(&map_of(rotated), Lang::Nb));
    }

    #[test]
    fn an_empty_map_says_so() {
        let svg = render(&map_of(Vec::new()), Lang::Nb);
        assert!(svg.contains("Ingen personer er kartlagt ennå"));
        assert!(!svg.contains(r#"class="tie tie-"#));
        assert!(person_groups(&parse(&svg)).is_empty());
        let svg = render(&map_of(Vec::new()), Lang::En);
        assert!(svg.contains("No one has been mapped yet"));
    }

    #[test]
    fn numbers_have_at_most_one_decimal_and_no_negative_zero() {
        assert_eq!(num(3.0), "3");
        assert_eq!(num(2.04), "2");
        assert_eq!(num(2.06), "2.1");
        assert_eq!(num(-0.04), "0");
        assert_eq!(num(-12.34), "-12.3");
        assert_eq!(num(1099.96), "1100");
    }

    #[test]
    fn escaping_covers_markup_quotes_and_forbidden_characters() {
        assert_eq!(
            escape(r#"<a href='x'>"&"</a>"#),
            "&lt;a href=&apos;x&apos;&gt;&quot;&amp;&quot;&lt;/a&gt;"
        );
        assert_eq!(escape("æøå 🌻\ttab"), "æøå 🌻\ttab");
        assert_eq!(
            escape("a\u{0}b\u{1b}c\u{FFFF}"),
            "a\u{FFFD}b\u{FFFD}c\u{FFFD}"
        );
    }

    #[test]
    fn shortening_counts_characters_not_bytes() {
        assert_eq!(shorten("  Åse  ", 10), "Åse");
        assert_eq!(shorten("Ødegård Ødegård", 8), "Ødegård…");
        assert_eq!(shorten("🌻🌻🌻🌻", 3), "🌻🌻…");
    }
}
