package notify

import (
	"bytes"
	"fmt"
	"image/color"
	"math"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// Chart draws the report's days as a PNG, 800×480: revenue bars on top,
// tickets opened as a line below, one column per day, the report's last
// day highlighted. Labels are in English and digits: the plotting
// library's built-in fonts have no Hangul or Han glyphs.
func (r *Report) Chart() ([]byte, error) {
	if len(r.Days) == 0 {
		return nil, fmt.Errorf("notify: chart: no days")
	}
	names := make([]string, len(r.Days))
	revenue := make(plotter.Values, len(r.Days))
	today := make(plotter.Values, len(r.Days))
	tks := make(plotter.XYs, len(r.Days))
	maxTickets, maxRevenue := 0, 0.0
	for i, d := range r.Days {
		names[i] = d.Day.Format("1/2")
		revenue[i] = float64(d.Revenue) / 1000
		tks[i].X, tks[i].Y = float64(i), float64(d.Tickets)
		maxTickets = max(maxTickets, d.Tickets)
		maxRevenue = math.Max(maxRevenue, revenue[i])
	}
	last := len(r.Days) - 1
	today[last], revenue[last] = revenue[last], 0

	top := plot.New()
	top.Title.Text = "Revenue (KRW thousand), last 14 days"
	top.Y.Min = 0
	top.Y.Tick.Marker = commaTicks{}
	w := vg.Points(22)
	bars, err := plotter.NewBarChart(revenue, w)
	if err != nil {
		return nil, fmt.Errorf("notify: chart: %w", err)
	}
	bars.Color = color.RGBA{R: 0x4c, G: 0x78, B: 0xa8, A: 0xff}
	bars.LineStyle.Width = 0
	hi, err := plotter.NewBarChart(today, w)
	if err != nil {
		return nil, fmt.Errorf("notify: chart: %w", err)
	}
	hi.Color = color.RGBA{R: 0xf5, G: 0x85, B: 0x18, A: 0xff}
	hi.LineStyle.Width = 0
	top.Add(plotter.NewGrid(), bars, hi)
	top.NominalX(names...)
	top.X.Min, top.X.Max = -0.5, float64(last)+0.5
	top.Y.Max = math.Max(1, maxRevenue*1.12)

	bottom := plot.New()
	bottom.Title.Text = "Tickets opened"
	bottom.Y.Min, bottom.Y.Max = 0, math.Max(4, float64(maxTickets)+1)
	bottom.X.Min, bottom.X.Max = -0.5, float64(last)+0.5
	bottom.Y.Tick.Marker = integerTicks{}
	line, points, err := plotter.NewLinePoints(tks)
	if err != nil {
		return nil, fmt.Errorf("notify: chart: %w", err)
	}
	red := color.RGBA{R: 0xe1, G: 0x57, B: 0x59, A: 0xff}
	line.Color, line.Width = red, vg.Points(2)
	points.Color, points.Shape = red, draw.CircleGlyph{}
	bottom.Add(plotter.NewGrid(), line, points)
	bottom.NominalX(names...)

	const width, height = 8 * vg.Inch, 4.8 * vg.Inch
	img := vgimg.NewWith(vgimg.UseWH(width, height), vgimg.UseDPI(100), vgimg.UseBackgroundColor(color.White))
	dc := draw.New(img)
	tiles := draw.Tiles{Rows: 2, Cols: 1, PadX: vg.Millimeter * 3, PadY: vg.Millimeter * 3,
		PadTop: vg.Millimeter * 2, PadBottom: vg.Millimeter * 2, PadLeft: vg.Millimeter * 2, PadRight: vg.Millimeter * 4}
	plots := [][]*plot.Plot{{top}, {bottom}}
	canvases := plot.Align(plots, tiles, dc)
	top.Draw(canvases[0][0])
	bottom.Draw(canvases[1][0])
	var buf bytes.Buffer
	if _, err := (vgimg.PngCanvas{Canvas: img}).WriteTo(&buf); err != nil {
		return nil, fmt.Errorf("notify: chart: %w", err)
	}
	return buf.Bytes(), nil
}

// commaTicks are the default ticks labelled with thousands separators.
type commaTicks struct{}

func (commaTicks) Ticks(min, max float64) []plot.Tick {
	ts := plot.DefaultTicks{}.Ticks(min, max)
	for i := range ts {
		if ts[i].Label != "" {
			ts[i].Label = commas(int64(math.Round(ts[i].Value)))
		}
	}
	return ts
}

// integerTicks label whole numbers only.
type integerTicks struct{}

func (integerTicks) Ticks(min, max float64) []plot.Tick {
	step := math.Max(1, math.Ceil((max-min)/5))
	var ts []plot.Tick
	for v := math.Ceil(min); v <= max; v += step {
		ts = append(ts, plot.Tick{Value: v, Label: fmt.Sprint(int64(v))})
	}
	return ts
}

func commas(n int64) string {
	s := fmt.Sprint(n)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 && s[i-1] != '-' {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// Sparkline draws values as a row of block characters, ▁ for the least and
// █ for the most: the chart for text-only channels.
func Sparkline(values []float64) string {
	const blocks = "▁▂▃▄▅▆▇█"
	bs := []rune(blocks)
	if len(values) == 0 {
		return ""
	}
	lo, hi := values[0], values[0]
	for _, v := range values {
		lo, hi = math.Min(lo, v), math.Max(hi, v)
	}
	lo = math.Min(lo, 0)
	var b strings.Builder
	for _, v := range values {
		i := 0
		if hi > lo {
			i = int(math.Round((v - lo) / (hi - lo) * float64(len(bs)-1)))
		}
		b.WriteRune(bs[i])
	}
	return b.String()
}
