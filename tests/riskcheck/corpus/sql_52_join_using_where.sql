SELECT a.id FROM t_a a JOIN t_b b USING (id);
SELECT a.id FROM t_a a INNER JOIN t_b b ON a.id = b.id AND 1 = 1;
