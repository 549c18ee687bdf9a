// diffc/optim.hpp: the update rules against hand-computed steps, convergence on a quadratic, and
// the size check.
#include <diffc/optim.hpp>

#include <doctest/doctest.h>

#include <cmath>
#include <stdexcept>
#include <vector>

TEST_CASE("optim: SGD with momentum follows v <- mu v + g, theta <- theta - lr v") {
  std::vector<double> theta = {1.0, -2.0}, g = {0.5, -1.0};
  diffc::optim::SgdMomentum opt(2, {.lr = 0.1, .momentum = 0.9});
  opt.step(theta, g); // v = g
  CHECK(theta[0] == doctest::Approx(1.0 - 0.1 * 0.5));
  CHECK(theta[1] == doctest::Approx(-2.0 + 0.1 * 1.0));
  opt.step(theta, g); // v = 0.9 g + g
  CHECK(theta[0] == doctest::Approx(1.0 - 0.1 * 0.5 - 0.1 * 1.9 * 0.5));
  opt.reset();
  opt.step(theta, g); // the velocity starts again from g
  CHECK(theta[0] == doctest::Approx(1.0 - 0.1 * 0.5 - 0.1 * 1.9 * 0.5 - 0.1 * 0.5));

  std::vector<double> p = {1.0}, gp = {2.0};
  diffc::optim::SgdMomentum nesterov(1, {.lr = 0.1, .momentum = 0.5, .nesterov = true});
  nesterov.step(p, gp); // v = 2, step = g + mu v = 3
  CHECK(p[0] == doctest::Approx(1.0 - 0.3));
}

TEST_CASE("optim: Adam's first step is lr * sign(g), whatever the gradient's scale") {
  std::vector<double> theta = {0.0, 0.0, 0.0}, g = {1e-3, -50.0, 0.0};
  diffc::optim::Adam opt(3, {.lr = 0.01});
  opt.step(theta, g);
  CHECK(opt.steps() == 1);
  CHECK(theta[0] == doctest::Approx(-0.01).epsilon(1e-4));
  CHECK(theta[1] == doctest::Approx(0.01).epsilon(1e-6));
  CHECK(theta[2] == 0.0);
}

TEST_CASE("optim: both minimise an ill-conditioned quadratic") {
  // f(x) = 0.5 * (x0^2 + 100 x1^2), minimum at 0.
  auto grad = [](const std::vector<double> &x) { return std::vector<double>{x[0], 100 * x[1]}; };
  std::vector<double> a = {3.0, -1.0}, s = {3.0, -1.0};
  diffc::optim::Adam adam(2, {.lr = 0.05});
  diffc::optim::SgdMomentum sgd(2, {.lr = 0.005, .momentum = 0.9});
  for (int i = 0; i < 2000; ++i) {
    adam.step(a, grad(a));
    sgd.step(s, grad(s));
  }
  CHECK(std::abs(a[0]) < 1e-3);
  CHECK(std::abs(a[1]) < 1e-3);
  CHECK(std::abs(s[0]) < 1e-6);
  CHECK(std::abs(s[1]) < 1e-6);
}

TEST_CASE("optim: buffers of the wrong length are rejected") {
  std::vector<double> theta(3), g(2);
  diffc::optim::Adam adam(3);
  CHECK_THROWS_AS(adam.step(theta, g), std::invalid_argument);
  diffc::optim::SgdMomentum sgd(2);
  CHECK_THROWS_WITH_AS(sgd.step(theta, g), doctest::Contains("expected 2"), std::invalid_argument);
}
