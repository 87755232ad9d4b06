/* The dashboards' charts (Apache ECharts, served by luoshi itself).
 *
 * Every element with data-chart="<kind>" and data-url="<JSON endpoint>" becomes a chart; the
 * element with data-table-for="<same kind>" gets a small table of the same figures with links
 * (the accessible fallback, and the drill-down without a mouse). Clicking a bar, a cell or a
 * slice opens the page it stands for (`url` in the data). No inline scripts: a strict
 * Content-Security-Policy allows this file only.
 */
(function () {
  "use strict";

  var STATE_COLOURS = {
    done: "#2e7d32", in_progress: "#1565c0", behind: "#e65100", not_started: "#a0a6ad",
  };
  var REPORT_COLOURS = {
    accepted: "#2f855a", submitted_on_time: "#38a3c0", submitted_late: "#f0a35e",
    awaiting_signoff: "#f5d36b", draft: "#9cc3f2", not_started: "#dfe3e8",
    returned: "#a77bd6", missing: "#c9302c",
  };
  var LIGHT_COLOURS = { red: "#c9302c", yellow: "#e0a800", green: "#2f855a", none: "#a0a6ad" };
  var FONT = '"Noto Sans CJK SC", "Microsoft YaHei", "PingFang SC", sans-serif';
  var cache = {};

  function load(url) {
    if (!cache[url]) {
      cache[url] = fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) {
          if (!response.ok) { throw new Error(response.status + " " + url); }
          return response.json();
        });
    }
    return cache[url];
  }

  function go(params) {
    var data = params.data || {};
    var url = data.url || (Array.isArray(data) ? data[3] : null);
    if (url) { window.location.href = url; }
  }

  function text(tag, content, className) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    node.textContent = content === null || content === undefined ? "" : String(content);
    return node;
  }

  /* A table of `columns` and `rows` ({cells, url, light}); the first cell (or the cell named
   * by `link`) links to `url`. */
  function table(container, columns, rows, empty) {
    container.textContent = "";
    if (!rows.length) {
      container.appendChild(text("p", empty || container.dataset.empty || "", "text-muted small mb-0"));
      return;
    }
    var tbl = document.createElement("table");
    tbl.className = "table table-sm table-hover small mb-0 chart-data";
    var head = tbl.createTHead().insertRow();
    columns.forEach(function (column) {
      var th = text("th", column);
      th.scope = "col";
      head.appendChild(th);
    });
    var body = tbl.createTBody();
    rows.forEach(function (row) {
      var tr = body.insertRow();
      var linked = row.link || 0;
      row.cells.forEach(function (cell, i) {
        var td = tr.insertCell();
        if (i === linked && row.url) {
          var a = text("a", cell);
          a.href = row.url;
          td.appendChild(a);
        } else if (row.light && i === 0 && linked !== 0) {
          td.appendChild(text("span", cell, "light light-" + row.light));
        } else {
          td.textContent = cell;
        }
      });
    });
    container.appendChild(tbl);
  }

  function base() {
    return {
      textStyle: { fontFamily: FONT },
      /* richText: the tooltip is drawn on the canvas, so no inline styles meet the CSP. */
      tooltip: { confine: true, renderMode: "richText" },
      animation: false,
    };
  }

  function stackedBars(names, series, horizontal) {
    var categoryAxis = { type: "category", data: names, axisLabel: { interval: 0 } };
    var valueAxis = { type: "value", minInterval: 1 };
    return Object.assign(base(), {
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, confine: true, renderMode: "richText" },
      legend: { top: 0 },
      grid: { left: 8, right: 16, top: 32, bottom: 8, containLabel: true },
      xAxis: horizontal ? valueAxis : categoryAxis,
      yAxis: horizontal ? Object.assign(categoryAxis, { inverse: true }) : valueAxis,
      series: series,
    });
  }

  function stateSeries(states, items) {
    return states.map(function (state) {
      return {
        name: state.label, type: "bar", stack: "total", barMaxWidth: 22,
        itemStyle: { color: STATE_COLOURS[state.key] },
        data: items.map(function (item) { return { value: item.counts[state.key], url: item.url }; }),
      };
    });
  }

  var RENDER = {
    /* Measures by state, for the whole plan. */
    overall: function (data) {
      return {
        option: Object.assign(base(), {
          title: {
            text: data.done_percent + "%", subtext: data.states[0].label,
            left: "center", top: "38%", textStyle: { fontSize: 26, fontFamily: FONT },
          },
          legend: { bottom: 0 },
          series: [{
            type: "pie", radius: ["48%", "72%"], center: ["50%", "45%"], label: { show: false },
            data: data.overall.map(function (item) {
              return { name: item.name, value: item.value, url: item.url,
                itemStyle: { color: STATE_COLOURS[item.key] } };
            }),
          }],
        }),
        table: {
          columns: data.overall.map(function (item) { return item.name; }),
          rows: [{ cells: data.overall.map(function (item) { return item.value; }), url: data.overall[0] && data.overall[0].url }],
        },
      };
    },
    /* Measures by state, per key task (click: the task in the ledger). */
    tasks: function (data, el) {
      el.style.height = Math.max(260, data.tasks.length * 26 + 60) + "px";
      return {
        option: stackedBars(
          data.tasks.map(function (t) { return t.short; }),
          stateSeries(data.states, data.tasks), true),
        table: { columns: data.columns, rows: data.rows },
      };
    },
    /* Departments × periods, coloured by report state (click: the report). */
    heatmap: function (data, el) {
      el.style.height = Math.max(240, data.departments.length * 22 + 110) + "px";
      var option = Object.assign(base(), {
        tooltip: {
          confine: true, renderMode: "richText",
          formatter: function (p) {
            return data.departments[p.data[1]].name + " · " + data.periods[p.data[0]] +
              "\n" + data.states[p.data[2]].label;
          },
        },
        grid: { left: 8, right: 8, top: 8, bottom: 56, containLabel: true },
        xAxis: { type: "category", data: data.periods, splitArea: { show: true } },
        yAxis: {
          type: "category", inverse: true, triggerEvent: true,
          data: data.departments.map(function (d) { return d.name; }),
        },
        visualMap: {
          type: "piecewise", dimension: 2, orient: "horizontal", left: "center", bottom: 0,
          itemWidth: 12, itemHeight: 12, textStyle: { fontSize: 11 },
          pieces: data.states.map(function (s, i) {
            return { value: i, label: s.label, color: REPORT_COLOURS[s.key] };
          }),
        },
        series: [{
          type: "heatmap", data: data.cells,
          itemStyle: { borderColor: "#fff", borderWidth: 1 },
        }],
      });
      return {
        option: option,
        table: { columns: data.columns, rows: data.rows },
        click: function (params) {
          if (params.componentType === "yAxis") {
            var dept = data.departments.filter(function (d) { return d.name === params.value; })[0];
            if (dept) { window.location.href = dept.url; }
            return;
          }
          go(params);
        },
      };
    },
    /* Reports on time, late and missing per month due, with the on-time rate. */
    timeliness: function (data) {
      var t = data.trend;
      var columns = data.columns;
      function bars(name, values, colour) {
        return { name: name, type: "bar", stack: "reports", barMaxWidth: 28,
          itemStyle: { color: colour },
          data: values.map(function (v) { return { value: v, url: data.url }; }) };
      }
      return {
        option: Object.assign(base(), {
          tooltip: { trigger: "axis", confine: true, renderMode: "richText" },
          legend: { top: 0 },
          grid: { left: 8, right: 8, top: 32, bottom: 8, containLabel: true },
          xAxis: { type: "category", data: t.months },
          yAxis: [{ type: "value", minInterval: 1 },
            { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%" } }],
          series: [
            bars(columns[1], t.on_time, REPORT_COLOURS.submitted_on_time),
            bars(columns[2], t.late, REPORT_COLOURS.submitted_late),
            bars(columns[3], t.missing, REPORT_COLOURS.missing),
            { name: columns[4], type: "line", yAxisIndex: 1, symbolSize: 6,
              itemStyle: { color: "#333" },
              data: t.rate.map(function (v) { return { value: v, url: data.url }; }) },
          ],
        }),
        table: { columns: data.columns, rows: data.rows },
      };
    },
    /* Actual vs target (%), with the time-proportional schedule (序时进度) as a marker. */
    targets: function (data, el) {
      var items = data.targets;
      el.style.height = Math.max(240, items.length * 26 + 70) + "px";
      return {
        option: Object.assign(base(), {
          tooltip: {
            trigger: "axis", axisPointer: { type: "shadow" }, confine: true, renderMode: "richText",
            formatter: function (params) {
              var item = items[params[0].dataIndex];
              return item.name + "\n" + item.target + " · " + (item.actual || "—") +
                "\n" + item.reason;
            },
          },
          legend: { top: 0 },
          grid: { left: 8, right: 24, top: 32, bottom: 8, containLabel: true },
          yAxis: { type: "category", inverse: true, data: items.map(function (i) { return i.code; }) },
          xAxis: { type: "value", min: 0, axisLabel: { formatter: "{value}%" } },
          series: [
            { name: data.columns[3], type: "bar", barMaxWidth: 16,
              data: items.map(function (i) {
                return { value: i.attainment, url: i.url,
                  itemStyle: { color: LIGHT_COLOURS[i.light] || LIGHT_COLOURS.none } };
              }) },
            { name: data.columns[4], type: "scatter", symbol: "diamond", symbolSize: 12,
              itemStyle: { color: "#222" },
              data: items.map(function (i) { return { value: i.schedule, url: i.url }; }) },
          ],
        }),
        table: { columns: data.columns, rows: data.rows },
      };
    },
    /* Across plans: measures by state per plan (click: the plan's dashboard). */
    plans: function (data, el) {
      el.style.height = Math.max(220, data.plans.length * 30 + 70) + "px";
      var names = data.plans.map(function (p) { return p.doc_number || p.name; });
      return {
        option: stackedBars(names, stateSeries(data.states, data.plans), true),
        table: { columns: data.columns, rows: data.rows },
      };
    },
    trend: function (data) {
      var t = data.trend;
      var rows = t.months.map(function (m, i) {
        return { cells: [m, t.on_time[i], t.late[i], t.missing[i], t.rate[i] + "%"] };
      });
      return RENDER.timeliness({ trend: t, url: null, columns: data.trend_columns, rows: rows });
    },
  };

  function lightTables(section, data) {
    ["measures", "departments", "districts"].forEach(function (key) {
      var container = section.querySelector('[data-table-for="' + key + '"]');
      if (!container || !data[key]) { return; }  // districts: only when some carry out the plan
      var box = container.closest("[hidden]");
      if (box) { box.hidden = false; }
      table(container, data[key].columns, data[key].rows);
    });
  }

  function failed(el, error) {
    el.textContent = "";
    el.appendChild(text("p", el.dataset.error || "", "text-danger small"));
    if (window.console) { console.warn(error); }
  }

  function setUp(el) {
    var kind = el.dataset.chart;
    load(el.dataset.url).then(function (data) {
      if (kind === "lights") { lightTables(el, data); return; }
      var spec = RENDER[kind](data, el);
      var chart = echarts.init(el, null, { renderer: "canvas" });
      chart.setOption(spec.option);
      chart.on("click", spec.click || go);
      window.addEventListener("resize", function () { chart.resize(); });
      var tableBox = document.querySelector('[data-table-for="' + kind + '"]');
      if (tableBox && spec.table) { table(tableBox, spec.table.columns, spec.table.rows); }
      el.dataset.rendered = "true";
    }).catch(function (error) { failed(el, error); });
  }

  document.querySelectorAll("[data-chart]").forEach(setUp);
})();
