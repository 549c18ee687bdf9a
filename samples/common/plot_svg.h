// A small SVG writer for training curves: panels side by side, each with axes, ticks, a legend and
// one polyline per series. Enough to see a loss fall and an accuracy rise without a plotting
// library.
#pragma once

#include <string>
#include <vector>

namespace diffc::sample {

struct Series {
  std::string name;
  std::string color;     // any SVG colour: "#1f77b4", "crimson"
  std::vector<double> y; // y[i] is plotted at x = i + 1 (epoch numbers)
};

struct Panel {
  std::string title;
  std::string y_label;
  std::vector<Series> series;
  bool log_y = false;     // a logarithmic y axis (for losses spanning decades); values must be > 0
  bool legend_top = true; // legend in the top right corner, else the bottom right (rising curves)
  std::string x_label;    // this panel's x axis label; empty: the one renderSvg is given
};

/// Renders `panels` side by side under `title`, with `x_label` under every panel.
std::string renderSvg(const std::string &title, const std::string &x_label,
                      const std::vector<Panel> &panels);

/// renderSvg written to `path`; false when the file cannot be written.
bool writeSvg(const std::string &path, const std::string &title, const std::string &x_label,
              const std::vector<Panel> &panels);

} // namespace diffc::sample
