SELECT a.id, b.id FROM dim_a a CROSS JOIN dim_b b; -- !MC12
SELECT a.id FROM dim_a a JOIN dim_b b ON 1 = 1; -- !MC12
SELECT a.id FROM dim_a a, dim_b b; -- !MC12
SELECT a.id FROM dim_a a, dim_b b WHERE a.id = b.id;
SELECT a.id FROM dim_a a LEFT JOIN dim_b b ON a.id = b.id;
