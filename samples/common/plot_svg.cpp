// The SVG is written by hand (no plotting dependency): fixed panel geometry, "nice" tick steps
// (1, 2 or 5 times a power of ten) so the axes read like a plotting library's.
#include "plot_svg.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <limits>
#include <sstream>

namespace diffc::sample {

namespace {

constexpr double kPanelW = 460, kPanelH = 330, kTitleH = 36;
constexpr double kLeft = 64, kRight = 20, kTop = 34, kBottom = 52; // plot area margins in a panel

std::string escape(const std::string &s) {
  std::string out;
  for (char c : s) {
    if (c == '&')
      out += "&amp;";
    else if (c == '<')
      out += "&lt;";
    else if (c == '>')
      out += "&gt;";
    else
      out += c;
  }
  return out;
}

std::string num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f", v);
  return buf;
}

/// A tick label without trailing zeros ("0.5", "20", "1e-03").
std::string label(double v) {
  char buf[32];
  if (v != 0 && (std::fabs(v) < 1e-3 || std::fabs(v) >= 1e5))
    std::snprintf(buf, sizeof buf, "%.0e", v);
  else
    std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

/// The tick step of a linear axis: 1, 2 or 5 times a power of ten, about `want` ticks.
double niceStep(double span, int want) {
  double raw = span / want;
  double p = std::pow(10.0, std::floor(std::log10(raw)));
  for (double m : {1.0, 2.0, 5.0, 10.0})
    if (m * p >= raw)
      return m * p;
  return 10 * p;
}

struct Axis {
  double lo, hi;
  bool log;
  std::vector<double> ticks;
  double map(double v, double pixLo, double pixHi) const { // pixLo is where `lo` lands
    double a = log ? std::log10(lo) : lo, b = log ? std::log10(hi) : hi;
    double t = ((log ? std::log10(v) : v) - a) / (b - a);
    return pixLo + t * (pixHi - pixLo);
  }
};

Axis linearAxis(double lo, double hi, int want, bool integer) {
  if (!(hi > lo)) { // a flat or empty series still gets a visible range
    lo -= 0.5;
    hi += 0.5;
  }
  double step = niceStep(hi - lo, want);
  if (integer)
    step = std::max(1.0, std::round(step));
  Axis ax{std::floor(lo / step) * step, std::ceil(hi / step) * step, false, {}};
  for (double t = ax.lo; t <= ax.hi + step * 1e-9; t += step)
    ax.ticks.push_back(std::fabs(t) < step * 1e-9 ? 0.0 : t);
  return ax;
}

Axis logAxis(double lo, double hi) {
  double a = std::floor(std::log10(lo)), b = std::ceil(std::log10(hi));
  if (b <= a)
    b = a + 1;
  Axis ax{std::pow(10.0, a), std::pow(10.0, b), true, {}};
  // Within one or two decades, 2x and 5x ticks keep the axis readable.
  bool fine = b - a <= 2;
  // Over many decades, a tick every `step` decades (about eight ticks) keeps the labels apart.
  double step = std::max(1.0, std::ceil((b - a) / 8));
  for (double e = a; e <= b; e += step)
    for (double m : {1.0, 2.0, 5.0})
      if (m == 1.0 || fine) {
        double t = m * std::pow(10.0, e);
        if (t <= ax.hi * (1 + 1e-9))
          ax.ticks.push_back(t);
      }
  return ax;
}

void renderPanel(std::ostringstream &o, const Panel &p, const std::string &xLabel, double x0,
                 double y0) {
  double px0 = x0 + kLeft, px1 = x0 + kPanelW - kRight;
  double py0 = y0 + kPanelH - kBottom, py1 = y0 + kTop; // py0: bottom of the plot area
  size_t n = 0;
  double lo = std::numeric_limits<double>::infinity(), hi = -lo;
  for (const Series &s : p.series) {
    n = std::max(n, s.y.size());
    for (double v : s.y)
      if (std::isfinite(v) && (!p.log_y || v > 0)) {
        lo = std::min(lo, v);
        hi = std::max(hi, v);
      }
  }
  if (!std::isfinite(lo)) {
    lo = p.log_y ? 0.1 : 0;
    hi = 1;
  }
  Axis xa = linearAxis(1, std::max<double>(2, static_cast<double>(n)), 8, true);
  Axis ya = p.log_y ? logAxis(lo, hi) : linearAxis(lo, hi, 6, false);

  o << "<g font-family=\"sans-serif\" font-size=\"11\">\n";
  o << "<text x=\"" << num((px0 + px1) / 2) << "\" y=\"" << num(y0 + 20)
    << "\" text-anchor=\"middle\" font-size=\"14\" font-weight=\"bold\">" << escape(p.title)
    << "</text>\n";
  for (double t : ya.ticks) { // horizontal grid lines and y labels
    double y = ya.map(t, py0, py1);
    o << "<line x1=\"" << num(px0) << "\" y1=\"" << num(y) << "\" x2=\"" << num(px1) << "\" y2=\""
      << num(y) << "\" stroke=\"#e5e5e5\"/>\n";
    o << "<text x=\"" << num(px0 - 6) << "\" y=\"" << num(y + 4) << "\" text-anchor=\"end\">"
      << label(t) << "</text>\n";
  }
  for (double t : xa.ticks) {
    double x = xa.map(t, px0, px1);
    o << "<line x1=\"" << num(x) << "\" y1=\"" << num(py0) << "\" x2=\"" << num(x) << "\" y2=\""
      << num(py0 + 4) << "\" stroke=\"#333\"/>\n";
    o << "<text x=\"" << num(x) << "\" y=\"" << num(py0 + 17) << "\" text-anchor=\"middle\">"
      << label(t) << "</text>\n";
  }
  o << "<rect x=\"" << num(px0) << "\" y=\"" << num(py1) << "\" width=\"" << num(px1 - px0)
    << "\" height=\"" << num(py0 - py1) << "\" fill=\"none\" stroke=\"#333\"/>\n";
  o << "<text x=\"" << num((px0 + px1) / 2) << "\" y=\"" << num(py0 + 38)
    << "\" text-anchor=\"middle\">" << escape(p.x_label.empty() ? xLabel : p.x_label)
    << "</text>\n";
  double ly = (py0 + py1) / 2, lx = x0 + 16;
  o << "<text x=\"" << num(lx) << "\" y=\"" << num(ly)
    << "\" text-anchor=\"middle\" transform=\"rotate(-90 " << num(lx) << ' ' << num(ly) << ")\">"
    << escape(p.y_label) << "</text>\n";

  for (size_t k = 0; k < p.series.size(); ++k) {
    const Series &s = p.series[k];
    o << "<polyline fill=\"none\" stroke-width=\"2\" stroke=\"" << escape(s.color)
      << "\" points=\"";
    for (size_t i = 0; i < s.y.size(); ++i)
      if (std::isfinite(s.y[i]) && (!p.log_y || s.y[i] > 0))
        o << num(xa.map(static_cast<double>(i + 1), px0, px1)) << ','
          << num(ya.map(std::clamp(s.y[i], ya.lo, ya.hi), py0, py1)) << ' ';
    o << "\"/>\n";
    double ey = p.legend_top ? py1 + 16 + 16 * static_cast<double>(k)
                             : py0 - 10 - 16 * static_cast<double>(p.series.size() - 1 - k);
    o << "<line x1=\"" << num(px1 - 130) << "\" y1=\"" << num(ey - 4) << "\" x2=\""
      << num(px1 - 110) << "\" y2=\"" << num(ey - 4) << "\" stroke-width=\"2\" stroke=\""
      << escape(s.color) << "\"/>\n";
    o << "<text x=\"" << num(px1 - 104) << "\" y=\"" << num(ey) << "\">" << escape(s.name)
      << "</text>\n";
  }
  o << "</g>\n";
}

} // namespace

std::string renderSvg(const std::string &title, const std::string &x_label,
                      const std::vector<Panel> &panels) {
  double w = kPanelW * static_cast<double>(std::max<size_t>(1, panels.size()));
  double h = kTitleH + kPanelH;
  std::ostringstream o;
  o << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << num(w) << "\" height=\"" << num(h)
    << "\" viewBox=\"0 0 " << num(w) << ' ' << num(h) << "\">\n";
  o << "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n";
  o << "<text x=\"" << num(w / 2)
    << "\" y=\"24\" text-anchor=\"middle\" font-family=\"sans-serif\" "
       "font-size=\"16\">"
    << escape(title) << "</text>\n";
  for (size_t i = 0; i < panels.size(); ++i)
    renderPanel(o, panels[i], x_label, kPanelW * static_cast<double>(i), kTitleH);
  o << "</svg>\n";
  return o.str();
}

bool writeSvg(const std::string &path, const std::string &title, const std::string &x_label,
              const std::vector<Panel> &panels) {
  std::ofstream f(path, std::ios::binary);
  f << renderSvg(title, x_label, panels);
  return static_cast<bool>(f.flush());
}

} // namespace diffc::sample
