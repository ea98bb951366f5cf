/* The report pages' charts, drawn with the vendored Chart.js (static/vendor/chartjs) from the
   figures the server put beside each canvas (portal/charts.py, Django's json_script): every label,
   date and percentage already written in the reader's language; this script formats nothing.
   The table after each chart holds the same figures and is the accessible form; the canvas is an
   image with a text alternative. A chart's box stays hidden until it is drawn, so without script
   (or without Chart.js) only the table shows. No animation: the chart is drawn once, as it is. */
(function () {
  "use strict";

  const Chart = window.Chart;
  if (typeof Chart === "undefined") {
    return;
  }

  const FONT_SIZE = 14;

  /* The page's font and colours, so a chart looks like the text around it (a tenant's own
     accent colour included). */
  function pageStyle() {
    const root = getComputedStyle(document.documentElement);
    const body = getComputedStyle(document.body);
    const value = (name, fallback) => root.getPropertyValue(name).trim() || fallback;
    return {
      font: body.fontFamily,
      ink: value("--ink", body.color),
      line: value("--line", "#d9e2ec"),
      accent: value("--accent", "#0b5cad"),
    };
  }

  const measure = document.createElement("canvas").getContext("2d");

  /* The widest of the texts in the chart's font, in pixels: the room a bar chart leaves after
     its longest bar for the text beside it. */
  function widest(texts, font) {
    measure.font = font;
    return Math.max(0, ...texts.map((text) => measure.measureText(text).width));
  }

  /* A label as lines at most `room` pixels wide, broken between words ("Devolución de
     llamada" on a phone), so that no label is cut off. */
  function wrap(label, font, room) {
    measure.font = font;
    const lines = [];
    for (const word of String(label).split(" ")) {
      const last = lines.length - 1;
      if (last >= 0 && measure.measureText(`${lines[last]} ${word}`).width <= room) {
        lines[last] = `${lines[last]} ${word}`;
      } else {
        lines.push(word);
      }
    }
    return lines.length > 1 ? lines : lines[0];
  }

  /* Writes each bar's text (the server's "66.7 %", "3", "—") just after its end. */
  const barTexts = {
    id: "deskBarTexts",
    afterDatasetsDraw(chart, _args, options) {
      const { ctx, scales } = chart;
      const values = chart.data.datasets[0].data;
      ctx.save();
      ctx.font = options.font;
      ctx.fillStyle = options.color;
      ctx.textAlign = "left";
      ctx.textBaseline = "middle";
      options.texts.forEach((text, index) => {
        const value = values[index] === null ? 0 : values[index];
        ctx.fillText(text, scales.x.getPixelForValue(value) + 6, scales.y.getPixelForValue(index));
      });
      ctx.restore();
    },
  };

  function bars(payload, style) {
    const font = `${FONT_SIZE}px ${style.font}`;
    return {
      type: "bar",
      data: {
        labels: payload.labels,
        datasets: [
          {
            data: payload.values,
            backgroundColor: style.accent,
            borderWidth: 0,
            maxBarThickness: 22,
          },
        ],
      },
      plugins: [barTexts],
      options: {
        indexAxis: "y",
        layout: { padding: { right: Math.ceil(widest(payload.texts, font)) + 12 } },
        scales: {
          x: { display: false, min: 0, max: payload.max },
          y: {
            grid: { display: false },
            border: { display: false },
            ticks: {
              color: style.ink,
              // At most a third of the chart's width for a bar's name: the rest for the bars.
              callback(value) {
                return wrap(this.getLabelForValue(value), font, this.chart.width / 3);
              },
            },
          },
        },
        plugins: {
          legend: { display: false },
          tooltip: { enabled: false }, // the figure is written beside its bar
          deskBarTexts: { texts: payload.texts, font: font, color: style.ink },
        },
      },
    };
  }

  function lines(payload, style) {
    return {
      type: "line",
      data: {
        labels: payload.labels,
        datasets: payload.series.map((series) => ({
          label: series.label,
          data: series.values,
          borderColor: series.colour,
          backgroundColor: series.colour,
          borderDash: series.dash,
          borderWidth: 2,
          pointRadius: 2.5,
          pointHoverRadius: 4,
          spanGaps: false, // a day on which nothing was decided breaks the line
          tension: 0,
          clip: false, // a point at 100 % whole, not cut in half by the chart's edge
        })),
      },
      options: {
        interaction: { mode: "index", intersect: false },
        scales: {
          x: {
            grid: { display: false },
            ticks: { color: style.ink, maxRotation: 0, autoSkip: true, autoSkipPadding: 16 },
          },
          y: {
            min: 0,
            max: payload.max,
            grid: { color: style.line },
            border: { display: false },
            ticks: {
              color: style.ink,
              stepSize: 25,
              callback: (value) => payload.ticks[String(value)] || "",
            },
          },
        },
        plugins: {
          legend: {
            position: "top",
            align: "start",
            labels: {
              color: style.ink,
              usePointStyle: true,
              pointStyle: "line",
              pointStyleWidth: 32,
              // Each series' line in the legend as in the chart: its colour and dash pattern.
              generateLabels(chart) {
                const items = Chart.defaults.plugins.legend.labels.generateLabels(chart);
                return items.map((item) => {
                  const dataset = chart.data.datasets[item.datasetIndex];
                  return { ...item, lineDash: dataset.borderDash, lineWidth: 2, strokeStyle: dataset.borderColor };
                });
              },
            },
          },
          tooltip: {
            callbacks: {
              label: (item) => `${item.dataset.label}: ${payload.series[item.datasetIndex].texts[item.dataIndex]}`,
            },
          },
        },
      },
    };
  }

  const KINDS = { bars: bars, lines: lines };

  function draw(box, style) {
    const data = box.querySelector('script[type="application/json"]');
    const canvas = box.querySelector("canvas");
    if (!data || !canvas || Chart.getChart(canvas)) {
      return;
    }
    const payload = JSON.parse(data.textContent);
    const kind = KINDS[payload.kind];
    if (!kind) {
      return;
    }
    if (payload.kind === "bars") {
      box.style.height = `${payload.labels.length * 2.25 + 0.5}rem`; // a bar of text height each
    }
    box.hidden = false;
    const config = kind(payload, style);
    config.options.responsive = true;
    config.options.maintainAspectRatio = false;
    config.options.animation = false;
    new Chart(canvas, config);
  }

  function drawAll() {
    const style = pageStyle();
    Chart.defaults.font.family = style.font;
    Chart.defaults.font.size = FONT_SIZE;
    Chart.defaults.color = style.ink;
    document.querySelectorAll("[data-chart]").forEach((box) => draw(box, style));
  }

  // Printing: each chart takes the width of the printed page, and back.
  function resizeAll() {
    Object.values(Chart.instances).forEach((chart) => chart.resize());
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", drawAll);
  } else {
    drawAll();
  }
  window.addEventListener("beforeprint", resizeAll);
  window.addEventListener("afterprint", resizeAll);
})();
